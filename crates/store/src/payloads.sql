-- Payloads stored once per execution (see payloads.rs): the arrays and objects of at least
-- 4 KB that event details and an execution's input and output refer to. A rowid table: the
-- rows are large, and SQLite keeps large rows out of a WITHOUT ROWID table's b-tree pages
-- poorly.
CREATE TABLE payloads (
  id INTEGER PRIMARY KEY,
  execution_id INTEGER NOT NULL,
  key TEXT NOT NULL,                       -- 32 hex digits of the text's BLAKE3 hash (SHA-256 before)
  text TEXT NOT NULL
);
CREATE UNIQUE INDEX payloads_by_key ON payloads (execution_id, key);
