#pragma once
// The Stellar bridge: the Stellar network through a Horizon server's REST API (docs/stellar.md).
//
// - External accounts: the hot account (the first account that is not `issuing` and has its
//   secret seed on the platform) receives every deposit and sends every withdrawal. Seeds
//   (S...) are secret attributes (encrypted, masked) and must be the seed of the address.
// - Deposits: each wallet's address is the hot account plus a MEMO_ID of its own
//   ("G...-1234567890123"); the hot account publishes SEP-29's config.memo_required. The
//   watcher follows GET /accounts/{hot}/payments from the persisted paging token and records
//   each successful incoming payment (or create_account) once, by operation id; a missing or
//   unknown memo goes to suspense.
// - Withdrawals: a Payment (or CreateAccount for a new account) signed once with the hot
//   seed (sequence from Horizon, fee, time bounds [0, close time + tx_timeout_seconds], the
//   destination's memo id), recorded with its hash before it is submitted; after a 504, a
//   timeout or a crash the *same* envelope is looked up (GET /transactions/{hash}) and
//   submitted again. Posted when Horizon has it successful; voided when it failed or when
//   the network's close time has passed its time bounds without it.

#include <memory>

#include "daemon/bridges/bridge.h"

namespace og::bridges {

const AccountSchema& stellar_schema();
std::unique_ptr<Bridge> make_stellar(InstanceSettings settings);

}  // namespace og::bridges
