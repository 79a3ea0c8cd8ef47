#pragma once
// What the omnibridge handlers share: the ledger actor of a caller, the idempotency key of
// a financial call, balances as JSON, and ledger outcomes as replies. (Who may open which
// wallet is the catalog's owner rule, checked by the pipeline: modules/ownership.h.)

#include <string>
#include <string_view>

#include "common/json.h"
#include "daemon/api/principal.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/modules/access.h"
#include "daemon/modules/module.h"

namespace og::omnibridge {

ledger::Actor actor_of(const api::Principal& p);

// The Idempotency-Key of a financial call, bound to its method, path and parameters.
std::optional<ledger::IdempotencyKey> idempotency_of(const Call& call);

// {"currencyname","currencycode","available","held","total"} for a balance.
Json balance_json(const ledger::Currency& c, const ledger::BalanceRow& b);
Json balances_json(ledger::Currencies& currencies, const std::vector<ledger::BalanceRow>& rows);

Reply reply_of(const ledger::Outcome& o, Json body);

}  // namespace og::omnibridge
