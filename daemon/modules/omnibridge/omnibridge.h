#pragma once
// Omnibridge: wallets, balances, transactions, currencies and the generic bridge.
#include "daemon/modules/module.h"

namespace og::omnibridge {
void register_handlers(Registry& r);
}  // namespace og::omnibridge
