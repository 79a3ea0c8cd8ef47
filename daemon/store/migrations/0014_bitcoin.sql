-- 0014: the Bitcoin bridge (docs/bitcoin.md).

-- BTC comes in and goes out through a Bitcoin Core wallet.
UPDATE currencies SET deposit_methods = array_append(deposit_methods, 'bitcoin')
  WHERE code = 'BTC' AND NOT ('bitcoin' = ANY (deposit_methods));
UPDATE currencies SET withdraw_methods = array_append(withdraw_methods, 'bitcoin')
  WHERE code = 'BTC' AND NOT ('bitcoin' = ANY (withdraw_methods));

-- What the network charged for a withdrawal, once it settled (decimal text; the platform's
-- wallet pays it, the user's hold is the amount sent): reconciliation explains the external
-- balance's difference with it.
ALTER TABLE bridge_withdrawals ADD COLUMN network_fee text;

-- Alerts for operators: money a bridge credited that the network took back afterwards (a
-- reorg deeper than the confirmation count, a double spend). Never a silent change of the
-- ledger: the deposit stays credited, an operator decides (docs/bitcoin.md), and
-- reconciliation lists the open ones. One per deposit and kind.
CREATE TABLE bridge_alerts (
  id              bigserial PRIMARY KEY,
  bridge          text NOT NULL,
  instance        integer NOT NULL,
  external_txid   text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('reorg', 'conflict')),
  txid            text,                 -- the ledger's transaction that credited it
  message         text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  UNIQUE (bridge, instance, external_txid, kind)
);
