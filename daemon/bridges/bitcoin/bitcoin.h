#pragma once
// The Bitcoin bridge: a Bitcoin Core node's wallet through its JSON-RPC interface
// (docs/bitcoin.md). bitcoind holds the keys and signs; omnid never sees a private key.
//
// - Credentials: the node's cookie file (omnid.toml cookie_file, read at each call, so a
//   restart of bitcoind is followed), or the bridge's external account: rpcuser and
//   rpcpassword (a secret attribute: encrypted under the unlock keys, masked).
// - Deposits: each wallet's address is a fresh bech32 getnewaddress labelled with its waid.
//   The watcher follows listsinceblock from the persisted lastblock with
//   target_confirmations = the bridge's confirmations, and records a receive output once
//   (txid:vout) when it has that many. Removed (reorged) and conflicted outputs are never
//   recorded; one that was recorded already is an alert (bridge_alerts), not a silent change.
// - Withdrawals: the address checked by validateaddress before anything is held; the fee
//   rate from estimatesmartfee, capped by max_fee_rate, recorded with the row before the
//   send; sendtoaddress carries the withdrawal's txid as its comment, and after a crash or a
//   lost answer the wallet is searched for that comment before anything is sent again.
//   Posted at the confirmation count (the network fee recorded), voided when conflicted or
//   abandoned.

#include <memory>

#include "daemon/bridges/bridge.h"

namespace og::bridges {

const AccountSchema& bitcoin_schema();
std::unique_ptr<Bridge> make_bitcoin(InstanceSettings settings);

}  // namespace og::bridges
