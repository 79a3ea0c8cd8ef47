#include "daemon/modules/ownership.h"

#include <pqxx/pqxx>

#include "daemon/app.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/txids.h"
#include "daemon/modules/access.h"
#include "daemon/store/pool.h"

namespace og {

namespace {

using catalog::Object;

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

std::string named(const Call& call, std::string_view param) {
  std::string name(param);
  return call.params.contains(name) && call.params[name].is_string() ? call.params[name].get<std::string>() : "";
}

// The refusal for an object the caller may not open.
Reply refuse(const Call& call, const Target& t, const std::string& what, const Reply& missing) {
  if (!may_know_of(call.principal, t.upid, t.parent_upid)) return missing;
  const auto& o = call.endpoint.owner;
  const auto& tier = t.upid == call.principal.upid ? o.own : o.child;
  std::string needed;
  for (auto r : tier) needed += (needed.empty() ? "" : ", ") + std::string(r);
  return Reply::error(Rc::Forbidden, what + " " + t.id + " is not open to you here" +
                                         (needed.empty() ? std::string() : ": this call needs " + needed));
}

}  // namespace

bool pipeline_checks_owner(const catalog::Endpoint& ep) {
  return ep.owner.object != Object::None && ep.owner.checked_by.empty();
}

std::optional<Reply> check_owner(App& app, Call& call) {
  const auto& o = call.endpoint.owner;
  if (!pipeline_checks_owner(call.endpoint)) return std::nullopt;
  Target t;
  t.object = o.object;
  t.id = named(call, o.param);
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  switch (o.object) {
    case Object::Profile: {
      if (t.id.empty()) t.id = call.principal.upid;
      const Reply missing = Reply::error(Rc::NotFound, "profile " + t.id + " does not exist");
      auto r = tx.exec_params("SELECT coalesce(parent_upid, '') FROM profiles WHERE upid = $1", t.id);
      if (r.empty()) return missing;
      t.upid = t.id;
      t.parent_upid = text(r[0][0]);
      if (!allowed(call.principal, o, t.upid, t.parent_upid)) return refuse(call, t, "profile", missing);
      break;
    }
    case Object::Wallet: {
      // One query: the named wallet, or the caller's default one.
      pqxx::result r =
          t.id.empty()
              ? tx.exec_params("SELECT w.waid, w.upid, coalesce(p.parent_upid, ''), w.kind FROM wallets w "
                               "JOIN profiles p ON p.upid = w.upid WHERE w.upid = $1 AND w.is_default",
                               call.principal.upid)
              : tx.exec_params("SELECT w.waid, coalesce(w.upid, ''), coalesce(p.parent_upid, ''), w.kind FROM wallets w "
                               "LEFT JOIN profiles p ON p.upid = w.upid WHERE w.waid = $1",
                               t.id);
      if (r.empty() && t.id.empty())
        return Reply::error(Rc::NotFound, "your profile has no wallet yet: create one with POST /api/v1/wallet/create");
      const Reply missing = Reply::error(Rc::NotFound, "wallet " + t.id + " does not exist");
      if (r.empty() || text(r[0][3]) != "user") return missing;  // bridge and issuer wallets are not the API's
      t.id = text(r[0][0]);
      t.upid = text(r[0][1]);
      t.parent_upid = text(r[0][2]);
      if (!allowed(call.principal, o, t.upid, t.parent_upid)) return refuse(call, t, "wallet", missing);
      break;
    }
    case Object::Transaction: {
      const Reply missing = Reply::error(Rc::NotFound, "transaction " + t.id + " does not exist");
      auto seq = app.ledger ? app.ledger->txids().seq_of(t.id) : std::nullopt;
      if (!seq) return missing;
      auto r = tx.exec_params(
          "SELECT ws.kind, coalesce(ws.upid, ''), coalesce(ps.parent_upid, ''), "
          "       wd.kind, coalesce(wd.upid, ''), coalesce(pd.parent_upid, '') "
          "FROM transactions t LEFT JOIN wallets ws ON ws.waid = t.source_waid "
          "LEFT JOIN profiles ps ON ps.upid = ws.upid LEFT JOIN wallets wd ON wd.waid = t.destination_waid "
          "LEFT JOIN profiles pd ON pd.upid = wd.upid WHERE t.seq = $1 AND t.txid = $2",
          static_cast<std::int64_t>(*seq), t.id);
      if (r.empty()) return missing;
      auto side_open = [&](int kind, int upid, int parent) {
        return text(r[0][kind]) == "user" && allowed(call.principal, o, text(r[0][upid]), text(r[0][parent]));
      };
      t.source_open = side_open(0, 1, 2);
      t.destination_open = side_open(3, 4, 5);
      // A transaction the caller may open neither side of does not exist for it.
      if (!t.source_open && !t.destination_open) return missing;
      t.upid = t.source_open ? text(r[0][1]) : text(r[0][4]);
      t.parent_upid = t.source_open ? text(r[0][2]) : text(r[0][5]);
      break;
    }
    case Object::TeamMember:
    case Object::ApiKey: {
      // One query: the profile (named by upid, or the caller's) and the member or key in it.
      const bool member = o.object == Object::TeamMember;
      std::string upid = named(call, "upid");
      if (upid.empty()) upid = call.principal.upid;
      auto r = member ? tx.exec_params("SELECT coalesce(p.parent_upid, ''), m.uuid IS NOT NULL FROM profiles p "
                                       "LEFT JOIN user_profiles m ON m.upid = p.upid AND m.uuid = $2 "
                                       "WHERE p.upid = $1",
                                       upid, t.id)
                      : tx.exec_params("SELECT coalesce(p.parent_upid, ''), k.akid IS NOT NULL FROM profiles p "
                                       "LEFT JOIN api_keys k ON k.upid = p.upid AND k.akid = $2 "
                                       "AND k.revoked_at IS NULL WHERE p.upid = $1",
                                       upid, t.id);
      Target profile;
      profile.object = Object::Profile;
      profile.id = profile.upid = upid;
      const Reply no_profile = Reply::error(Rc::NotFound, "profile " + upid + " does not exist");
      if (r.empty()) return no_profile;
      profile.parent_upid = text(r[0][0]);
      if (!allowed(call.principal, o, profile.upid, profile.parent_upid))
        return refuse(call, profile, "profile", no_profile);
      // Within a profile the caller may open: the answer for one that is not there.
      if (!r[0][1].as<bool>())
        return member ? Reply::error(Rc::NotFound, t.id + " is not in this team")
                      : Reply::error(Rc::NotFound, "API key " + t.id + " does not exist");
      t.upid = profile.upid;
      t.parent_upid = profile.parent_upid;
      break;
    }
    case Object::None: return std::nullopt;
  }
  call.target = std::move(t);
  return std::nullopt;
}

}  // namespace og
