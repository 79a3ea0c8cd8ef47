-- bench/ledger/pgbench_transfer.sql: pgbench's side of bench/ledger_transfers.sh. One
-- database transaction per transfer: two balance updates and one journal insert, like a
-- ledger without group commit. The two rows are updated in ascending id order, as omnid
-- locks balances in one global order, so that concurrent clients never deadlock.
-- pgbench -D wallets=N sets the number of rows of bench.balances.
\set src random(1, :wallets)
\set dst random(1, :wallets - 1)
\set dst :dst + (CASE WHEN :dst >= :src THEN 1 ELSE 0 END)
\set lo least(:src, :dst)
\set hi greatest(:src, :dst)
BEGIN;
UPDATE bench.balances SET balance = balance + (CASE WHEN id = :src THEN -1 ELSE 1 END) WHERE id = :lo;
UPDATE bench.balances SET balance = balance + (CASE WHEN id = :src THEN -1 ELSE 1 END) WHERE id = :hi;
INSERT INTO bench.journal (src, dst, amount) VALUES (:src, :dst, 1);
END;
