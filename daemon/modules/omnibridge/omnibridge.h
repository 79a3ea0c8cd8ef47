#pragma once
// Omnibridge: wallets, balances, transactions, currencies and the generic bridge.
#include "daemon/modules/module.h"

namespace og::bridges {
class Bridge;
}

namespace og::omnibridge {
void register_handlers(Registry& r);

// system/bridge/{name}-{id}/balances' rows for one instance: per currency, the ledger's side
// (internalbalance, internalavail, internalheld) against the network's (externalbalance and
// our extensions) when the bridge can see it. Asks the network.
Json balance_rows(App& app, bridges::Bridge& bridge);
}  // namespace og::omnibridge
