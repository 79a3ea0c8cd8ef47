-- 0010: jobs under leases, and the transactional outbox (docs/architecture.md, "Jobs" and
-- "Outbox").
--
-- job_leases: one row per named job. A node runs a job only while it holds the row's lease:
-- holder = its node id and lease_until in the future (renewed every third of the lease).
-- Taking a lease that is free or expired increments fence, so that every statement a
-- holder makes afterwards can be fenced on (holder, fence): a node that lost its lease
-- (paused, cut off) cannot record anything in the new holder's name.
CREATE TABLE job_leases (
  name          text PRIMARY KEY,
  holder        text,                          -- node id; NULL: free
  fence         bigint NOT NULL DEFAULT 0,     -- +1 each time a node takes the lease
  lease_until   timestamptz,
  next_run      timestamptz NOT NULL DEFAULT now(),
  runs          bigint NOT NULL DEFAULT 0,
  last_node     text,
  last_started  timestamptz,
  last_finished timestamptz,
  last_error    text
);

-- Every run of every job (kept 7 days by the maintenance job): who ran it, under which
-- fence, when, and how it ended. finished_at NULL: running, or its node died.
CREATE TABLE job_runs (
  id          bigserial PRIMARY KEY,
  job         text NOT NULL,
  node        text NOT NULL,
  fence       bigint NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at timestamptz,
  error       text
);
CREATE INDEX job_runs_job ON job_runs (job, id);

-- A side effect (an e-mail; later webhooks, push notifications, bridge submissions),
-- written in the transaction of the change that causes it and delivered by the outbox job
-- after the commit. The payload is a secret (it may hold a password-reset link): it lives
-- in the secrets table (encrypted under the unlock keys when the database has a keyring)
-- and is removed once the message is delivered. message_id is what the receiver can
-- deduplicate on (the mail's Message-ID).
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  message_id      text NOT NULL UNIQUE,
  kind            text NOT NULL,                 -- 'mail'
  recipient       text NOT NULL,                 -- shown to operators (an e-mail address)
  summary         text NOT NULL DEFAULT '',      -- shown to operators (a mail's subject)
  payload         text,                          -- secrets.id; NULL once delivered
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  retry_since     timestamptz NOT NULL DEFAULT now(), -- the age limit counts from here (reset by a retry)
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  delivered_at    timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead';
