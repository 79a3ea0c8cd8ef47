-- 0007: the ledger's balance lock and read in one round trip.
--
-- A batch locks the balances it touches with transaction-scoped advisory locks, taken in
-- ascending key order (the engine sorts the keys: one global order, so no two batches, of
-- one node or of several, deadlock), then reads them. Reading must happen after the locks
-- are held: in READ COMMITTED a statement sees the database as of its own start, so the
-- read cannot be part of the locking statement. A VOLATILE PL/pgSQL function runs each of
-- its statements with a fresh snapshot, which gives both steps in one call.
CREATE FUNCTION ledger_lock_balances(lock_keys bigint[], wanted json)
RETURNS TABLE (waid text, currency text, available text, held text, may_go_negative boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  k bigint;
BEGIN
  FOREACH k IN ARRAY lock_keys LOOP
    PERFORM pg_advisory_xact_lock(k);
  END LOOP;
  RETURN QUERY
    SELECT b.waid, b.currency, b.available::text, b.held::text, b.may_go_negative
    FROM json_to_recordset(wanted) AS w(waid text, currency text)
    CROSS JOIN LATERAL (SELECT * FROM balances b WHERE b.waid = w.waid AND b.currency = w.currency) b;
END
$$;
