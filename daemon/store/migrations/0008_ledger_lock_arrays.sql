-- 0008: the ledger's balance lock and read (0007) with arrays: the advisory locks taken by
-- one statement instead of one PL/pgSQL statement per key, and the balances named by two
-- text arrays side by side instead of JSON objects (PostgreSQL parses arrays several times
-- faster). Same contract: locks in the order given (the engine sorts the keys: one global
-- order), then the read, under a fresh snapshot, of the balances that exist.
-- ledger_lock_balances(bigint[], json) stays for nodes not yet upgraded.
CREATE FUNCTION ledger_lock_balances(lock_keys bigint[], waids text[], currencies text[])
RETURNS TABLE (waid text, currency text, available text, held text, may_go_negative boolean)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- unnest() yields the keys in array order, and a volatile function in the select list
  -- runs once per row, in that order.
  PERFORM pg_advisory_xact_lock(k) FROM unnest(lock_keys) AS k;
  RETURN QUERY
    SELECT b.waid, b.currency, b.available::text, b.held::text, b.may_go_negative
    FROM unnest(waids, currencies) AS w(waid, currency)
    CROSS JOIN LATERAL (SELECT * FROM balances b WHERE b.waid = w.waid AND b.currency = w.currency) b;
END
$$;
