-- 0016: reconciliation runs (docs/reconciliation.md). A run never changes the ledger: it
-- reads both sides of every bridge in its scope, matches them and keeps its report here, so
-- that `omnictl bridge reconcile show RUN` and `list` work later.
CREATE TABLE reconcile_runs (
  id           bigserial PRIMARY KEY,
  scope        text NOT NULL,                 -- "stellar-1", or "all"
  since        timestamptz NOT NULL,
  until        timestamptz NOT NULL,
  window_days  integer NOT NULL,
  status       text NOT NULL CHECK (status IN ('clean', 'discrepancies', 'unreachable')),
  summary      jsonb NOT NULL,                -- per bridge: counts, balance drifts
  report       jsonb NOT NULL,                -- the whole answer
  initiator    text,                          -- akid_/uuid_ of the caller
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reconcile_runs_recent ON reconcile_runs (started_at DESC);

-- A deposit in suspense an operator says is no user's money (the operator's own funding of
-- a hot wallet, a fee refund): dismissed, with who and why. It stays recorded, credits
-- nothing, and reconciliation counts it as explained.
ALTER TABLE bridge_inbox DROP CONSTRAINT bridge_inbox_state_check;
ALTER TABLE bridge_inbox ADD CONSTRAINT bridge_inbox_state_check
  CHECK (state IN ('received', 'credited', 'unmatched', 'refused', 'dismissed'));
