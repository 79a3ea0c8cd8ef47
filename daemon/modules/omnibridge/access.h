#pragma once
// Who may see or use which wallet, from the caller's rights: their own profile's wallets
// (readwalletbalances, listmyswallettx, ...), a child profile's (readchildwalletbalances,
// ...), or every wallet (readallwallets, ...; superuser).

#include <initializer_list>
#include <string>
#include <string_view>

#include "common/json.h"
#include "daemon/api/principal.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/modules/access.h"
#include "daemon/modules/module.h"

namespace og::omnibridge {

extern const Rights kReadBalances;   // readwalletbalances / readchildwalletbalances / readallwallets, readallbalances
extern const Rights kListHistory;    // listmyswallettx / listchildswallettx / listallwallettx
extern const Rights kModifyProfile;  // modifymyprofile / modifychildprofile / modifyallprofiles
extern const Rights kReceive;        // createreceivingaddress / createchildreceivingaddress

ledger::Actor actor_of(const api::Principal& p);

// The Idempotency-Key of a financial call, bound to its method, path and parameters.
std::optional<ledger::IdempotencyKey> idempotency_of(const Call& call);

// {"currencyname","currencycode","available","held","total"} for a balance.
Json balance_json(const ledger::Currency& c, const ledger::BalanceRow& b);
Json balances_json(ledger::Currencies& currencies, const std::vector<ledger::BalanceRow>& rows);

Reply reply_of(const ledger::Outcome& o, Json body);

}  // namespace og::omnibridge
