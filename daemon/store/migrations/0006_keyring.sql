-- 0006: secrets encrypted at rest (daemon/secrets/keyring.h), the unlock audit trail and
-- the components' system attributes.

-- The keyring of an installed database: one row. The master data key, wrapped with
-- AES-256-GCM (nonce || ciphertext || tag, associated data 'omnigate-keyring-v1') under a
-- key derived from the application password with scrypt. Neither the password nor the
-- derived key is stored. No row: secrets stay 'plain' (a database not set up by
-- `omnictl install`, or omnid --dev).
CREATE TABLE keyring (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  kdf         text NOT NULL DEFAULT 'scrypt' CHECK (kdf = 'scrypt'),
  salt        bytea NOT NULL CHECK (length(salt) >= 16),
  scrypt_n    bigint NOT NULL CHECK (scrypt_n >= 16384),
  scrypt_r    integer NOT NULL CHECK (scrypt_r >= 1),
  scrypt_p    integer NOT NULL CHECK (scrypt_p >= 1),
  wrapped_key bytea NOT NULL CHECK (length(wrapped_key) = 12 + 32 + 16),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- 'plain' (no keyring) or 'aesgcm': value = nonce(12) || ciphertext || tag(16) under the
-- master key, associated data = id || 0x00 || kind.
ALTER TABLE secrets ADD CONSTRAINT secrets_scheme CHECK (scheme IN ('plain', 'aesgcm'));

-- Every unlock attempt, right or wrong (never the password).
CREATE TABLE unlock_events (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  component text NOT NULL,
  address   text NOT NULL,
  outcome   text NOT NULL CHECK (outcome IN ('unlocked', 'already-unlocked', 'wrong-password', 'throttled'))
);
CREATE INDEX unlock_events_at ON unlock_events (at);

-- System attributes of a component (POST /api/v1/system/{component}/attribute). The
-- names, types and defaults are omnid's (daemon/modules/system/components.cpp).
CREATE TABLE component_attributes (
  component  text NOT NULL CHECK (component IN ('omnipass', 'omnibridge', 'omnipay')),
  name       text NOT NULL,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (component, name)
);
