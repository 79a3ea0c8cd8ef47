-- 0012: what network bridges (the XRP Ledger first) add to the shared bridge tables
-- (docs/bridges.md, docs/ripple.md).

-- A withdrawal's submission as the bridge made it before sending it (the signed
-- transaction, its hash, sequence and last valid ledger), so that after a crash or a failed
-- send the same submission is looked up and sent again, never a second one signed.
ALTER TABLE bridge_withdrawals ADD COLUMN prepared text;

-- Where a bridge's deposit watcher stands in the network's history (a ledger index and a
-- paging marker for rippled's account_tx), moved in the transaction that records what it saw.
CREATE TABLE bridge_positions (
  bridge     text NOT NULL,
  instance   integer NOT NULL,
  account    text NOT NULL,           -- the external account followed (the hot wallet)
  position   jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bridge, instance, account)
);

-- Suspense: a deposit no wallet's address matched waits (state unmatched) until an operator
-- assigns it to a wallet; it is then credited like any other, once.
ALTER TABLE bridge_inbox ADD COLUMN assigned_waid text REFERENCES wallets (waid);
ALTER TABLE bridge_inbox ADD COLUMN assigned_by text;
ALTER TABLE bridge_inbox ADD COLUMN ledger_index bigint;  -- where the network recorded it (when it says)

-- XRP comes in and goes out through the XRP Ledger.
UPDATE currencies SET deposit_methods = array_append(deposit_methods, 'ripple')
  WHERE code = 'XRP' AND NOT ('ripple' = ANY (deposit_methods));
UPDATE currencies SET withdraw_methods = array_append(withdraw_methods, 'ripple')
  WHERE code = 'XRP' AND NOT ('ripple' = ANY (withdraw_methods));
