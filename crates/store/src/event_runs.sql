-- Histories stored one row per commit (see event_runs.rs): a run of consecutive events packed
-- (and mostly compressed) into `body`. Keyed by the execution and the run's first event, so
-- an append is one b-tree insert, and the history's last event id (which an append checks)
-- is one seek. A WITHOUT ROWID table: a compressed run of a ten-state chain is a few hundred
-- bytes and stays in its b-tree page; a large run's tail goes to overflow pages.
CREATE TABLE event_runs (
  execution_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,               -- the id of the run's first event
  last_id INTEGER NOT NULL,                -- the id of its last event
  body BLOB NOT NULL,                      -- a format byte, then the events (postcard)
  PRIMARY KEY (execution_id, first_id)
) WITHOUT ROWID;
