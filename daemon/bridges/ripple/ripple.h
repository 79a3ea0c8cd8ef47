#pragma once
// The Ripple bridge: the XRP Ledger through a rippled server's JSON-RPC API (docs/ripple.md).
//
// - External accounts: the hot wallet (the one account that is not `issuing`) receives
//   every deposit and sends every withdrawal; issuing addresses issue the bridge's IOUs.
//   Their family seeds are secret attributes (encrypted, masked).
// - Deposits: each wallet's address is the hot wallet plus a destination tag of its own
//   ("rHot...-12345678"). The watcher follows the hot wallet's account_tx from a persisted
//   position and records a Payment to it when it is in a validated ledger with tesSUCCESS,
//   for what it delivered (delivered_amount, never Amount: partial payments), once per
//   transaction hash (the inbox's key). An unknown or missing tag goes to suspense.
// - Withdrawals: a Payment signed once (Sequence, Fee from the server, LastLedgerSequence),
//   recorded with its hash before it is submitted, submitted again as it is after a crash,
//   and settled by what a validated ledger says: tesSUCCESS posts the hold; a tec result,
//   or a validated ledger past LastLedgerSequence without it, voids it.

#include <memory>

#include "daemon/bridges/bridge.h"

namespace og::bridges {

const AccountSchema& ripple_schema();
std::unique_ptr<Bridge> make_ripple(InstanceSettings settings);

}  // namespace og::bridges
