#include "daemon/modules/omnibridge/access.h"

#include "common/crypto.h"

namespace og::omnibridge {


ledger::Actor actor_of(const api::Principal& p) {
  ledger::Actor a;
  a.credential = p.id();
  a.upid = p.upid;
  a.superuser = p.rights.superuser();
  a.charge_child = p.rights.has("chargechildprofile");
  // Taking a user's balance below zero needs the right itself, not merely superuser.
  a.negative_wallet = p.rights.granted("negativewallet");
  return a;
}

std::optional<ledger::IdempotencyKey> idempotency_of(const Call& call) {
  if (call.idempotency_key.empty()) return std::nullopt;
  return ledger::IdempotencyKey{call.idempotency_key, crypto::sha256_hex(call.endpoint.key() + "\n" + call.params.dump())};
}

Json balance_json(const ledger::Currency& c, const ledger::BalanceRow& b) {
  return Json{{"currencyname", c.name},
              {"currencycode", c.code},
              {"available", c.format(b.available)},
              {"held", c.format(b.held)},
              {"total", c.format(b.available + b.held)}};
}

Json balances_json(ledger::Currencies& currencies, const std::vector<ledger::BalanceRow>& rows) {
  Json out = Json::array();
  for (const auto& b : rows)
    if (auto c = currencies.find(b.currency)) out.push_back(balance_json(*c, b));
  return out;
}

Reply reply_of(const ledger::Outcome& o, Json body) {
  if (o.unavailable) return Reply::database_unavailable();
  if (o.rc != Rc::Ok) return Reply::error(o.rc, o.detail);
  return Reply::ok(std::move(body));
}

}  // namespace og::omnibridge
