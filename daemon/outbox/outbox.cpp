#include "daemon/outbox/outbox.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "daemon/log.h"
#include "daemon/mail/mailer.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::outbox {

namespace {

constexpr const char* kMailSecret = "outbox-mail";

std::string iso(const char* column) {
  return std::string("to_char(") + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

// A failure worth another attempt later.
bool retryable(const std::exception& e) {
  if (auto* m = dynamic_cast<const mail::MailError*>(&e)) return m->transient() || m->kind() == mail::MailError::Kind::Other;
  return true;  // not a refusal by the receiver: a local problem (disk, memory) that may pass
}

struct Due {
  std::int64_t id;
  std::string message_id, kind, payload;
  int attempts;
  bool too_old;
  std::string text;  // the payload, read from the secret store
};

}  // namespace

namespace {
thread_local bool enqueued = false;
}

void note_enqueued() { enqueued = true; }

bool take_enqueued() {
  bool was = enqueued;
  enqueued = false;
  return was;
}

std::string enqueue_mail(pqxx::work& tx, secrets::SecretStore& store, mail::Message message) {
  if (message.message_id.empty()) {
    message.message_id = crypto::random_hex(16);
    for (char& c : message.message_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Json payload{{"to", message.to}, {"subject", message.subject}, {"text", message.text}};
  std::string secret = store.put(tx, kMailSecret, payload.dump());
  tx.exec_params("INSERT INTO outbox (message_id, kind, recipient, summary, payload) VALUES ($1, 'mail', $2, $3, $4)",
                 message.message_id, message.to, message.subject, secret);
  return message.message_id;
}

std::chrono::milliseconds backoff(int attempts, const Settings& s, std::mt19937_64& rng) {
  using std::chrono::milliseconds;
  auto wait = s.backoff_initial;
  for (int i = 1; i < attempts && wait < s.backoff_max; ++i) wait *= 2;
  wait = std::min(wait, s.backoff_max);
  auto half = wait.count() / 2;
  std::uniform_int_distribution<std::int64_t> jitter(0, std::max<std::int64_t>(half, 0));
  return milliseconds(wait.count() - half + jitter(rng));
}

Round deliver_due(store::Pool& pool, secrets::SecretStore& store, mail::Mailer* mailer, const Settings& s,
                  const std::function<bool()>& keep_going) {
  Round round;
  if (!mailer) return round;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  while (keep_going()) {
    std::vector<Due> due;
    {
      auto conn = pool.acquire();
      pqxx::read_transaction tx(*conn);
      for (const auto& r : tx.exec_params(
               "SELECT id, message_id, kind, payload, attempts, retry_since < now() - make_interval(hours => $1) "
               "FROM outbox WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT 20",
               static_cast<int>(s.max_age.count())))
        due.push_back(Due{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                          r[3].is_null() ? std::string() : r[3].as<std::string>(), r[4].as<int>(), r[5].as<bool>(), {}});
      // The texts in the same transaction (one connection for the batch, not one per message).
      // One that cannot be read (gone, corrupt) fails its own message below, not the batch.
      for (auto& d : due) {
        try {
          d.text = store.get(tx, d.payload);
        } catch (const secrets::Locked&) {
          round.locked = true;  // nothing is readable until the unlock
          return round;
        } catch (const std::exception&) {
          // left empty: this message fails below with its own error
        }
      }
    }
    if (due.empty()) break;
    for (const auto& d : due) {
      if (!keep_going()) return round;
      std::string error;
      bool again = false;
      try {
        if (d.kind != "mail") throw std::runtime_error("unknown outbox kind " + d.kind);
        if (d.text.empty()) throw std::runtime_error("the message's text cannot be read");
        Json p = Json::parse(d.text);
        mailer->send(mail::Message{p.at("to").get<std::string>(), p.at("subject").get<std::string>(),
                                   p.at("text").get<std::string>(), d.message_id});
      } catch (const std::exception& e) {
        error = e.what();
        again = retryable(e) && !d.too_old;
      }
      auto conn = pool.acquire();
      pqxx::work tx(*conn);
      if (error.empty()) {
        tx.exec_params("UPDATE outbox SET status = 'sent', delivered_at = now(), attempts = attempts + 1, "
                       "last_error = NULL, payload = NULL WHERE id = $1",
                       d.id);
        if (!d.payload.empty()) store.remove(tx, d.payload);
        ++round.sent;
      } else if (again) {
        auto wait = backoff(d.attempts + 1, s, rng);
        tx.exec_params("UPDATE outbox SET attempts = attempts + 1, last_error = $2, "
                       "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
                       d.id, error, static_cast<double>(wait.count()) / 1000.0);
        ++round.retried;
      } else {
        tx.exec_params("UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = $2 WHERE id = $1", d.id,
                       error);
        ++round.dead;
        log::error("outbox message undeliverable: kept as a dead letter (omnictl system outbox list --status dead)",
                   {{"id", d.id}, {"messageid", d.message_id}, {"error", error}});
      }
      tx.commit();
      if (again && round.retried == 1)
        log::warn("outbox delivery failed, will retry", {{"id", d.id}, {"messageid", d.message_id}, {"error", error}});
    }
    if (round.retried > 0 || round.dead > 0) {
      // Whatever failed waits for its backoff; the rest of the queue is tried in the next round
      // only if the last batch was all delivered (a server that is down fails them all).
      if (round.sent == 0) break;
    }
  }
  return round;
}

Json list(pqxx::transaction_base& tx, const std::string& status, int limit, std::int64_t before) {
  Json out = Json::array();
  for (const auto& r : tx.exec_params(
           "SELECT id, message_id, kind, recipient, summary, status, attempts, " + iso("created_at") + ", " +
               iso("next_attempt_at") + ", " + iso("delivered_at") +
               ", last_error FROM outbox WHERE ($1 = '' OR status = $1) AND ($3 <= 0 OR id < $3) "
               "ORDER BY id DESC LIMIT $2",
           status, limit, before)) {
    auto opt = [&](int i) { return r[i].is_null() ? Json() : Json(r[i].as<std::string>()); };
    Json m{{"id", std::to_string(r[0].as<std::int64_t>())},
           {"messageid", r[1].as<std::string>()},
           {"kind", r[2].as<std::string>()},
           {"recipient", r[3].as<std::string>()},
           {"summary", r[4].as<std::string>()},
           {"status", r[5].as<std::string>()},
           {"attempts", r[6].as<int>()},
           {"created", opt(7)},
           {"nextattempt", r[5].as<std::string>() == "pending" ? opt(8) : Json()},
           {"delivered", opt(9)},
           {"lasterror", opt(10)}};
    out.push_back(std::move(m));
  }
  return out;
}

bool retry(pqxx::work& tx, std::int64_t id) {
  auto r = tx.exec_params(
      "UPDATE outbox SET status = 'pending', next_attempt_at = now(), retry_since = now() "
      "WHERE id = $1 AND status = 'dead' RETURNING 1",
      id);
  return !r.empty();
}

Json counts(pqxx::transaction_base& tx) {
  Json out{{"pending", 0}, {"dead", 0}};
  for (const auto& r : tx.exec("SELECT status, count(*) FROM outbox WHERE status <> 'sent' GROUP BY status"))
    out[r[0].as<std::string>()] = r[1].as<std::int64_t>();
  auto oldest = tx.exec("SELECT " + iso("min(created_at)") + " FROM outbox WHERE status = 'pending'");
  out["oldestpending"] = oldest[0][0].is_null() ? Json() : Json(oldest[0][0].as<std::string>());
  return out;
}

}  // namespace og::outbox
