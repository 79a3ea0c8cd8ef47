-- 0005: the SSO service: which refresh-token family an authorization code started (a
-- reused code revokes it, RFC 6749 4.1.2), whether a family's client authenticated with
-- its secret (public PKCE clients refresh without one), and the one-time states of
-- external logins.

ALTER TABLE oauth_codes ADD COLUMN family text;
ALTER TABLE oauth_codes ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

ALTER TABLE refresh_tokens ADD COLUMN client_authenticated boolean NOT NULL DEFAULT true;
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

-- GET /auth/p/{strategy} -> the provider -> /auth/p/{strategy}/callback: the state sent
-- to the provider, used once. Only its SHA-256 is kept.
CREATE TABLE external_login_states (
  state_hash text PRIMARY KEY,
  strategy   text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX external_login_states_expires ON external_login_states (expires_at);

-- The scope asked of an external provider (NULL: the provider's default).
ALTER TABLE auth_strategies ADD COLUMN scope text;
