-- Histories stored one row per commit (see event_runs.rs): a run of consecutive events packed
-- into `body`. A rowid table, so a run of a few kilobytes stays in its b-tree page. The index
-- finds an execution's runs in order and holds `last_id`, so an append reads the history's
-- last event id from the index alone (it checks the run continues the history).
CREATE TABLE event_runs (
  id INTEGER PRIMARY KEY,
  execution_id INTEGER NOT NULL,
  first_id INTEGER NOT NULL,               -- the id of the run's first event
  last_id INTEGER NOT NULL,                -- the id of its last event
  body BLOB NOT NULL                       -- a format byte, then the events (postcard)
);
CREATE INDEX event_runs_by_execution ON event_runs (execution_id, first_id, last_id);
