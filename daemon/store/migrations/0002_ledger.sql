-- 0002: the ledger (Omnibridge): currencies, wallets, balances, a double-entry journal,
-- idempotency keys and deposit addresses.
--
-- Amounts are exact integers of the currency's smallest unit (numeric(40,0) holds every
-- 128-bit value of common/amount.h); the currency's `decimals` says where the point goes.

CREATE TABLE currencies (
  code             text PRIMARY KEY,           -- "CAD", "CAD.starbucks", "USD.starbucks.ripple"
  numeric_code     integer NOT NULL UNIQUE,    -- ISO 4217 numeric; 1001+ crypto; 100000+ ours
  name             text NOT NULL,
  type             text NOT NULL DEFAULT 'base' CHECK (type IN ('base', 'extended', 'bridge')),
  decimals         smallint NOT NULL CHECK (decimals BETWEEN 0 AND 18),
  display_decimals smallint NOT NULL CHECK (display_decimals BETWEEN 0 AND 18),
  crypto           boolean NOT NULL DEFAULT false,
  issuer_upid      text REFERENCES profiles (upid),   -- extended and bridge currencies
  parent_code      text REFERENCES currencies (code), -- bridge currencies
  reference_code   text REFERENCES currencies (code), -- accepted at par for invoices in it
  bridge           text,
  issuer_address   text,
  tier             smallint NOT NULL DEFAULT 1,
  visible          boolean NOT NULL DEFAULT true,
  public           boolean NOT NULL DEFAULT true,
  enabled          boolean NOT NULL DEFAULT true,
  deposit_methods  text[] NOT NULL DEFAULT ARRAY['generic'],
  withdraw_methods text[] NOT NULL DEFAULT ARRAY['generic'],
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE currency_numeric_code START 100000;
CREATE INDEX currencies_issuer ON currencies (issuer_upid) WHERE issuer_upid IS NOT NULL;

-- A wallet belongs to a profile (kind 'user'), or is a system account that may go
-- negative: an issuer's equity (the other side of issued money) or a bridge's clearing
-- account (the other side of deposits and withdrawals).
CREATE TABLE wallets (
  waid       text PRIMARY KEY CHECK (waid ~ '^waid_[0-9]{16}$'),
  upid       text REFERENCES profiles (upid),
  kind       text NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'issuer_equity', 'bridge_clearing')),
  name       text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  trading    boolean NOT NULL DEFAULT false,
  market     text,
  shortcode  text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'bridge_clearing') = (upid IS NULL))
);
CREATE INDEX wallets_upid ON wallets (upid);
CREATE UNIQUE INDEX wallets_one_default ON wallets (upid) WHERE is_default;
CREATE UNIQUE INDEX wallets_system ON wallets (kind, coalesce(upid, ''), name) WHERE kind <> 'user';

-- One row per wallet and currency. total = available + held.
CREATE TABLE balances (
  waid            text NOT NULL REFERENCES wallets (waid),
  currency        text NOT NULL REFERENCES currencies (code),
  available       numeric(40, 0) NOT NULL DEFAULT 0,
  held            numeric(40, 0) NOT NULL DEFAULT 0 CHECK (held >= 0),
  -- System accounts, and user balances an authorised caller (right negativewallet) took
  -- below zero. The ledger's invariant check is the real guard; this is the backstop.
  may_go_negative boolean NOT NULL DEFAULT false,
  PRIMARY KEY (waid, currency),
  CHECK (may_go_negative OR available >= 0)
) WITH (fillfactor = 50);  -- room on each page for HOT updates: no index write per update

-- transactions and postings are the hot path of every transfer: they carry no foreign
-- keys (each costs a trigger per row). The ledger engine writes them only for wallets and
-- currencies it has just read under lock, and its invariant check vets every batch.
CREATE TABLE transactions (
  txid             text PRIMARY KEY,   -- txid_ + 16 digits, made by the engine
  type             text NOT NULL CHECK (type IN ('deposit', 'withdraw', 'transfer', 'issue')),
  state            text NOT NULL CHECK (state IN ('Pending', 'Completed', 'Failed', 'Canceled')),
  currency         text NOT NULL,
  amount           numeric(40, 0) NOT NULL CHECK (amount > 0),
  fee              numeric(40, 0) NOT NULL DEFAULT 0,
  method           text NOT NULL,
  description      text,
  source_waid      text,
  destination_waid text,
  bridge           text,
  external_txid    text,
  external_source_address      text,
  external_destination_address text,
  initiator        text,               -- akid_/uuid_ of the caller
  -- The total balance each wallet had after this transaction (its last posting), for the
  -- transaction list and details without reading postings.
  source_balance_after      numeric(40, 0),
  destination_balance_after numeric(40, 0),
  bridge_code      integer NOT NULL DEFAULT 10000,
  bridge_message   text NOT NULL DEFAULT 'Ok',
  created_at       timestamptz NOT NULL DEFAULT now(),
  finalized_at     timestamptz
);
CREATE UNIQUE INDEX transactions_external_deposit ON transactions (bridge, external_txid)
  WHERE type = 'deposit' AND external_txid IS NOT NULL;
-- A wallet's history, newest first, page by page: one ordered index per side.
CREATE INDEX transactions_source ON transactions (source_waid, created_at, txid);
CREATE INDEX transactions_destination ON transactions (destination_waid, created_at, txid);
CREATE INDEX transactions_pending ON transactions (method, created_at) WHERE state = 'Pending';

-- Double entry: the deltas of one transaction sum to zero per currency. Each posting
-- records the balance it left behind. An append-only journal without indexes (the API
-- reads balances and transactions; audits and reconciliation scan the journal).
CREATE TABLE postings (
  id              bigserial NOT NULL,  -- the order of postings
  txid            text NOT NULL,
  waid            text NOT NULL,
  currency        text NOT NULL,
  available_delta numeric(40, 0) NOT NULL,
  held_delta      numeric(40, 0) NOT NULL,
  available_after numeric(40, 0) NOT NULL,
  held_after      numeric(40, 0) NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key: the first answer of a financial call, kept at least 24 hours.
CREATE TABLE idempotency_keys (
  credential   text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,  -- SHA-256 of method, path and the validated parameters
  resultcode   integer NOT NULL,
  detail       text NOT NULL DEFAULT '',
  txid         text,
  waid         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (credential, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE deposit_addresses (
  waid         text NOT NULL REFERENCES wallets (waid),
  method       text NOT NULL,
  address      text NOT NULL UNIQUE,
  main_address text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (waid, method)
);
