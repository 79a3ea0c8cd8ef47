-- 0011: what every bridge shares (daemon/bridges/, docs/bridges.md): its external
-- accounts, the inbox of deposits seen on the outside, and the withdrawals it sends.

-- An external account of a bridge instance (a hot wallet, an issuing address, an account
-- at the adapter's bank). `identifier` is the value of the type's identifying attribute.
-- Attributes that are not secret are in `attributes`; the secret ones, as one JSON object,
-- in the secrets table (encrypted under the unlock keys when the database has a keyring).
CREATE TABLE bridge_accounts (
  id          bigserial PRIMARY KEY,
  bridge      text NOT NULL,
  instance    integer NOT NULL CHECK (instance BETWEEN 1 AND 99),
  identifier  text NOT NULL,
  description text NOT NULL DEFAULT '',
  status      text NOT NULL DEFAULT 'Ok',
  issuing     boolean NOT NULL DEFAULT false,
  trackable   boolean NOT NULL DEFAULT true,
  attributes  jsonb NOT NULL DEFAULT '{}',
  secret      text,                              -- secrets.id; NULL when it has no secret attribute
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (bridge, instance, identifier)
);

-- Deposits seen on the outside, recorded by the bridge's watcher in the transaction that
-- moves its position forward, then credited by the bridge-inbox job. The key is the
-- deduplication: one external transaction of one instance is credited once.
--   received:  recorded, not credited yet
--   credited:  credited (txid); a retry found the ledger's own record of it
--   unmatched: no wallet has this deposit address: the money waits for an operator
--   refused:   the ledger refused it (code and message): the money waits for an operator
CREATE TABLE bridge_inbox (
  bridge         text NOT NULL,
  instance       integer NOT NULL,
  external_txid  text NOT NULL,
  address        text NOT NULL,                  -- the deposit address (or tag) it was sent to
  currency       text NOT NULL,
  amount         text NOT NULL,                  -- decimal text, as the network reported it
  source_address text NOT NULL DEFAULT '',
  description    text NOT NULL DEFAULT '',
  state          text NOT NULL DEFAULT 'received'
                 CHECK (state IN ('received', 'credited', 'unmatched', 'refused')),
  txid           text,
  result_code    integer,
  message        text,
  received_at    timestamptz NOT NULL DEFAULT now(),
  settled_at     timestamptz,
  PRIMARY KEY (bridge, instance, external_txid)
);
CREATE INDEX bridge_inbox_received ON bridge_inbox (received_at) WHERE state = 'received';

-- Withdrawals a push bridge sends (the ledger holds the money: its transaction is Pending).
-- The row is written before the bridge is asked to send, so that a crash can neither send
-- twice nor forget one:
--   pending:    recorded, not sent (a temporary failure): tried again at next_attempt_at
--   submitting: being sent, or the node died while sending: the bridge looks it up first
--   submitted:  the network has it (external_txid); followed until it settles
--   completed / failed: settled, and the ledger's hold posted / voided
CREATE TABLE bridge_withdrawals (
  txid            text PRIMARY KEY,
  bridge          text NOT NULL,
  instance        integer NOT NULL,
  state           text NOT NULL CHECK (state IN ('pending', 'submitting', 'submitted', 'completed', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  external_txid   text,
  message         text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bridge_withdrawals_open ON bridge_withdrawals (bridge, instance, next_attempt_at)
  WHERE state IN ('pending', 'submitting', 'submitted');
