#pragma once
// The transactional outbox (docs/architecture.md, "Outbox"). A side effect - an e-mail
// today; a webhook, a push notification, a bridge submission later - is written to the
// outbox table in the same database transaction as the change that causes it, and
// delivered by the job "outbox" after the commit: never on a request thread, never inside
// a transaction. If the transaction rolls back, there is nothing to deliver; if omnid dies
// after the commit, the message is still there at the next start (or on another node).
//
// Delivery is at least once, with a message id that stays the same on every attempt (the
// mail's Message-ID) so that the receiver can deduplicate. A failure that may pass (the
// server is down, a timeout, a 4xx reply) is retried with exponential backoff and jitter
// until the message is max_age old; then, or at once for a permanent failure (a 5xx reply,
// an address refused), the message becomes a dead letter, which an operator lists
// (GET /system/outbox) and retries (POST /system/outbox/{id}/retry).
//
// The payload (the mail's text, which may hold a password-reset link) is a secret: it is
// kept in the secret store (encrypted under the unlock keys when the database has a
// keyring) and removed once delivered; the row keeps the recipient and the subject for
// operators.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "common/json.h"

namespace og::secrets {
class SecretStore;
}
namespace og::mail {
class Mailer;
struct Message;
}  // namespace og::mail
namespace og::store {
class Pool;
}

namespace og::outbox {

struct Settings {
  std::chrono::hours max_age{48};                          // retried until this old, then dead
  std::chrono::milliseconds backoff_initial{std::chrono::seconds(10)};
  std::chrono::milliseconds backoff_max{std::chrono::hours(1)};
};

// Records `message` in `tx`; returns its message id (32 hex digits; message.message_id
// when set). Throws secrets::Locked when the secret store is locked.
std::string enqueue_mail(pqxx::work& tx, secrets::SecretStore& store, mail::Message message);

// The wait before attempt number `attempts` + 1 (attempts >= 1 made so far): initial *
// 2^(attempts-1), capped at backoff_max, then a random 50-100% of that ("equal jitter"),
// so that messages failed together do not come back together.
std::chrono::milliseconds backoff(int attempts, const Settings& s, std::mt19937_64& rng);

struct Round {
  int sent = 0;
  int retried = 0;  // failed, to be retried
  int dead = 0;     // failed for good (or too old)
  bool locked = false;  // the secret store is locked: nothing can be read until the unlock
};

// Delivers the messages that are due, oldest first, while keep_going() (the job's lease)
// holds. mailer nullptr: nothing is delivered (no transport configured).
Round deliver_due(store::Pool& pool, secrets::SecretStore& store, mail::Mailer* mailer, const Settings& s,
                  const std::function<bool()>& keep_going);

// A request handler that enqueued something calls note_enqueued(); the handler wrapper
// (module.cpp's blocking()) wakes the outbox job once the handler has returned, that is
// after its transaction committed (or rolled back: then the job finds nothing). Per thread.
void note_enqueued();
bool take_enqueued();  // and clear

// For operators: messages with this status ("dead", "pending", "sent"; "" = all), newest
// first, at most `limit`, with id < before when before > 0.
Json list(pqxx::transaction_base& tx, const std::string& status, int limit, std::int64_t before);
// A dead letter back to pending, due now, its age counted from now. false: no such dead letter.
bool retry(pqxx::work& tx, std::int64_t id);
// Counts by status, for GET /system/health.
Json counts(pqxx::transaction_base& tx);

}  // namespace og::outbox
