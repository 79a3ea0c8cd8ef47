-- 0004: Omnipass: users and their profiles, e-mail tokens, login throttling, stored
-- secrets, JWT signing keys, OAuth 2.0 applications, codes and refresh tokens, external
-- login strategies.

ALTER TABLE profiles ADD COLUMN master_uuid text;
CREATE INDEX profiles_email ON profiles (lower(attributes->>'email'));

CREATE TABLE users (
  uuid          text PRIMARY KEY CHECK (uuid ~ '^uuid_[0-9]{16}$'),
  email         text NOT NULL,
  password_hash text,  -- common/password.h encoding; NULL until the user sets one
  language      text NOT NULL DEFAULT 'en',
  timezone      text,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'inactive')),
  mfa_enabled   boolean NOT NULL DEFAULT false,
  mfa_secret    text,     -- secrets.id of the TOTP seed in use
  mfa_pending   text,     -- secrets.id of a seed handed out and not enabled yet
  mfa_last_step bigint NOT NULL DEFAULT 0,  -- a code is accepted once: steps must grow
  default_upid  text REFERENCES profiles (upid),
  callback_url  text,  -- where the registration's links point (re-sent activation mails)
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- The roles a user holds on a profile.
CREATE TABLE user_profiles (
  uuid      text NOT NULL REFERENCES users (uuid),
  upid      text NOT NULL REFERENCES profiles (upid),
  roles     text[] NOT NULL,
  is_master boolean NOT NULL DEFAULT false,
  PRIMARY KEY (uuid, upid)
);
CREATE INDEX user_profiles_upid ON user_profiles (upid);

-- One-time tokens sent by e-mail: account activation, password reset, e-mail change.
-- Only their SHA-256 is kept.
CREATE TABLE user_tokens (
  token_hash text PRIMARY KEY,
  uuid       text NOT NULL REFERENCES users (uuid),
  purpose    text NOT NULL CHECK (purpose IN ('activate', 'reset', 'email')),
  new_email  text,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_uuid ON user_tokens (uuid, purpose);

-- Failed logins per account ("acct:<email>") and per address ("addr:<ip>").
CREATE TABLE login_failures (
  key           text PRIMARY KEY,
  failures      integer NOT NULL,
  last_failure  timestamptz NOT NULL,
  blocked_until timestamptz
);

-- Every secret the platform keeps (JWT signing keys, MFA seeds, OAuth application and
-- strategy secrets), behind one interface (daemon/secrets/secret_store.h). scheme 'plain'
-- until the unlock issue encrypts them at rest.
CREATE TABLE secrets (
  id         text PRIMARY KEY,
  kind       text NOT NULL,
  scheme     text NOT NULL DEFAULT 'plain',
  value      bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- JWT signing keys. The newest active key signs; retired keys stay published in
-- /auth/jwks.json until every token they signed has expired.
CREATE TABLE signing_keys (
  kid         text PRIMARY KEY,
  private_key text NOT NULL REFERENCES secrets (id),
  public_jwk  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz,   -- no longer signs
  expires_at  timestamptz    -- no longer published (retired_at + token lifetime)
);

CREATE TABLE oauth_apps (
  client_id     text PRIMARY KEY CHECK (length(client_id) = 8),
  name          text NOT NULL,
  client_secret text NOT NULL REFERENCES secrets (id),
  redirect_uris text[] NOT NULL,
  owner_upid    text REFERENCES profiles (upid),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_codes (
  code_hash             text PRIMARY KEY,
  client_id             text NOT NULL REFERENCES oauth_apps (client_id),
  uuid                  text NOT NULL REFERENCES users (uuid),
  upid                  text NOT NULL REFERENCES profiles (upid),
  redirect_uri          text NOT NULL,
  scope                 text NOT NULL DEFAULT '*',
  code_challenge        text,
  code_challenge_method text,
  expires_at            timestamptz NOT NULL,
  used_at               timestamptz
);

-- Refresh tokens rotate: each use replaces the token; reusing a replaced token revokes
-- its whole family (RFC 6819 5.2.2.3).
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  family     text NOT NULL,
  client_id  text NOT NULL REFERENCES oauth_apps (client_id),
  uuid       text NOT NULL REFERENCES users (uuid),
  upid       text NOT NULL REFERENCES profiles (upid),
  scope      text NOT NULL DEFAULT '*',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- External login providers (Facebook, Google, LinkedIn): a generic OAuth 2.0 client.
CREATE TABLE auth_strategies (
  id            text PRIMARY KEY,
  client_id     text NOT NULL,
  client_secret text NOT NULL REFERENCES secrets (id),
  callback_url  text NOT NULL,
  authorize_url text,
  token_url     text,
  userinfo_url  text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE external_identities (
  strategy text NOT NULL,
  subject  text NOT NULL,
  uuid     text NOT NULL REFERENCES users (uuid),
  PRIMARY KEY (strategy, subject)
);
