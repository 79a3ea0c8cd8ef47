-- 0013: sends of a network bridge that the ledger does not book (currency/issueiou: an
-- issued-currency Payment from an issuing address; docs/ripple.md, daemon/bridges/sends.h).
--
-- A row is written in the same transaction as the call's Idempotency-Key claim
-- (idempotency_keys, resultcode 0 until the first outcome is known), with the signed
-- transaction and its hash, before it is submitted. The bridge's job submits again, as it is,
-- a row left `submitting` (a crash, a lost answer, a temporary refusal), after asking the
-- network whether it has it; nothing is ever signed twice for one row.
CREATE TABLE bridge_sends (
  id              bigserial PRIMARY KEY,
  bridge          text NOT NULL,
  instance        integer NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('issueiou')),
  credential      text NOT NULL,        -- the caller (akid_/uuid_), as idempotency_keys has it
  idempotency_key text NOT NULL,
  account         text NOT NULL,        -- the sending (issuing) address
  state           text NOT NULL CHECK (state IN ('submitting', 'submitted', 'completed', 'failed')),
  prepared        text NOT NULL,        -- the signed transaction, its hash, sequence and ledgers
  external_txid   text NOT NULL,        -- its hash
  attempts        integer NOT NULL DEFAULT 1,
  message         text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Not unique: an Idempotency-Key may come back after idempotency_keys forgot it.
CREATE INDEX bridge_sends_key ON bridge_sends (credential, idempotency_key, id);
CREATE INDEX bridge_sends_open ON bridge_sends (bridge, instance, next_attempt_at)
  WHERE state IN ('submitting', 'submitted');
