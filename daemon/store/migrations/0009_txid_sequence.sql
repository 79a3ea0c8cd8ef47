-- 0009: the journal's primary key becomes a sequence number; transaction ids stay
-- unguessable.
--
-- txid_ + 16 random digits as the primary key put every new transaction on a random leaf
-- of its index: a cache miss and a dirtied page per insert (and, after each checkpoint, a
-- full-page image of each of those pages in the WAL), more costly the larger the journal
-- grows. Now each transaction has a sequence number, seq, and its txid's 16 digits are a
-- keyed permutation of seq over 0 .. 10^16 - 1. New rows are appended at the right edge of
-- the primary key; a txid leads to its row through the inverse permutation; and without
-- the key the digits of one transaction say nothing of another's.
--
-- The permutation: an 8-round Feistel network on two halves of 8 digits (L, R),
--   round i:  (L, R) -> (R, (L + F(i, R)) mod 10^8)
--   F(i, x) = the first 7 bytes of SHA-256(key || byte i || 4-byte big-endian x), as an
--             unsigned big-endian integer, mod 10^8
-- omnid computes it (daemon/ledger/txids.cpp); these functions are the same in SQL, for
-- this migration, for nodes not yet upgraded, and for operators:
--   SELECT * FROM transactions WHERE seq = ledger_txid_seq('txid_1234567812345678');
--
-- Sequence numbers come in blocks of 1000 from ledger_txid_blocks (block b: seq b*1000 ..
-- b*1000 + 999), one block at a time per committer, so nodes never hand out the same one.
-- The rows that exist already keep their txids; their seq is the inverse permutation of
-- it (random, like the txids were), and a committer skips any of those that fall in its
-- block.

-- The permutation's key: 256 bits from PostgreSQL's strong random source (each UUID v4
-- carries 122 random bits), shared by every node of the database.
CREATE TABLE ledger_secrets (
  name  text PRIMARY KEY,
  value bytea NOT NULL
);
INSERT INTO ledger_secrets (name, value)
  VALUES ('txid', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

CREATE FUNCTION ledger_txid_round(key bytea, round integer, x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ('x' || encode(substr(sha256(key || set_byte('\x00'::bytea, 0, round) || int4send(x::integer)), 1, 7), 'hex'))::bit(56)::bigint
         % 100000000
$$;

-- The txid of a sequence number.
CREATE FUNCTION ledger_txid_of(seq bigint) RETURNS text
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  k bytea;
  l bigint;
  r bigint;
  t bigint;
BEGIN
  IF seq < 0 OR seq >= 10000000000000000 THEN
    RETURN NULL;
  END IF;
  SELECT value INTO STRICT k FROM ledger_secrets WHERE name = 'txid';
  l := seq / 100000000;
  r := seq % 100000000;
  FOR i IN 0..7 LOOP
    t := r;
    r := (l + ledger_txid_round(k, i, r)) % 100000000;
    l := t;
  END LOOP;
  RETURN 'txid_' || lpad((l * 100000000 + r)::text, 16, '0');
END
$$;

-- The sequence number of a txid (NULL if the text is not a txid).
CREATE FUNCTION ledger_txid_seq(txid text) RETURNS bigint
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
  k bytea;
  n bigint;
  l bigint;
  r bigint;
  t bigint;
BEGIN
  IF txid !~ '^txid_[0-9]{16}$' THEN
    RETURN NULL;
  END IF;
  SELECT value INTO STRICT k FROM ledger_secrets WHERE name = 'txid';
  n := substr(txid, 6)::bigint;
  l := n / 100000000;
  r := n % 100000000;
  FOR i IN REVERSE 7..0 LOOP
    t := l;
    l := ((r - ledger_txid_round(k, i, l)) % 100000000 + 100000000) % 100000000;
    r := t;
  END LOOP;
  RETURN l * 100000000 + r;
END
$$;

CREATE SEQUENCE ledger_txid_blocks;

ALTER TABLE transactions ADD COLUMN seq bigint;
UPDATE transactions SET seq = ledger_txid_seq(txid);
ALTER TABLE transactions ALTER COLUMN seq SET NOT NULL;
ALTER TABLE transactions DROP CONSTRAINT transactions_pkey;
ALTER TABLE transactions ADD PRIMARY KEY (seq);

-- A node not yet upgraded inserts a random txid without seq: its seq is computed here
-- (unique like the txid; a collision with a block another node holds fails that insert
-- on the primary key, and the batch is retried). Upgraded nodes always give seq: the
-- WHEN clause keeps the function from running for their rows.
CREATE FUNCTION ledger_transactions_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.seq := ledger_txid_seq(NEW.txid);
  RETURN NEW;
END
$$;
CREATE TRIGGER transactions_seq BEFORE INSERT ON transactions
  FOR EACH ROW WHEN (NEW.seq IS NULL) EXECUTE FUNCTION ledger_transactions_seq();
