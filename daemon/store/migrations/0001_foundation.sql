-- 0001: profiles and the API keys that authenticate machine callers.
-- Identifiers are prefix_ + 16 digits (see common/ids.h).

CREATE TABLE profiles (
  upid        text PRIMARY KEY CHECK (upid ~ '^upid_[0-9]{16}$'),
  type        text NOT NULL CHECK (type IN ('individual', 'organization')),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  tierlevel   integer NOT NULL DEFAULT 0,
  parent_upid text REFERENCES profiles (upid),
  is_system   boolean NOT NULL DEFAULT false,
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,   -- firstname, lastname, address1, ...
  extended    jsonb NOT NULL DEFAULT '{}'::jsonb,   -- extended attributes
  internal    jsonb NOT NULL DEFAULT '{}'::jsonb,   -- internal application data
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX profiles_parent ON profiles (parent_upid) WHERE parent_upid IS NOT NULL;

-- An API key is shown once; only its SHA-256 is kept. It carries its own roles.
CREATE TABLE api_keys (
  akid        text PRIMARY KEY CHECK (akid ~ '^akid_[0-9]{16}$'),
  upid        text NOT NULL REFERENCES profiles (upid),
  key_hash    bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  last4       text NOT NULL,
  description text NOT NULL,
  roles       text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_upid ON api_keys (upid);
