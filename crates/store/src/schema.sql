-- Migration 1: the initial schema. Timestamps are INTEGER microseconds since the Unix epoch.
-- JSON columns hold the objects as the API sent them.

CREATE TABLE state_machines (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,                      -- STANDARD | EXPRESS
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL,                    -- ACTIVE | DELETING
  revision_id TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER,
  logging TEXT,
  tracing TEXT,
  encryption TEXT,
  next_version INTEGER NOT NULL DEFAULT 1
);
-- ListStateMachines pages in creation order.
CREATE INDEX state_machines_by_created ON state_machines (created, arn);

CREATE TABLE state_machine_versions (
  arn TEXT PRIMARY KEY,
  state_machine_arn TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  description TEXT,
  revision_id TEXT NOT NULL,
  created INTEGER NOT NULL,
  logging TEXT,
  tracing TEXT,
  encryption TEXT,
  UNIQUE (state_machine_arn, version)
);

CREATE TABLE state_machine_aliases (
  arn TEXT PRIMARY KEY,
  state_machine_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  routing TEXT NOT NULL,                   -- JSON [{stateMachineVersionArn, weight}]
  created INTEGER NOT NULL,
  updated INTEGER
);
-- ListStateMachineAliases pages a machine's aliases in creation order.
CREATE INDEX state_machine_aliases_by_machine
  ON state_machine_aliases (state_machine_arn, created, arn);

CREATE TABLE tags (
  resource_arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;

CREATE TABLE executions (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  state_machine_arn TEXT NOT NULL,         -- the unqualified machine
  version_arn TEXT,
  alias_arn TEXT,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  revision_id TEXT,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  redrive_count INTEGER NOT NULL DEFAULT 0,
  redrive_date INTEGER,
  seed INTEGER NOT NULL,
  wake_at INTEGER,
  trace_header TEXT
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date DESC, id DESC);
CREATE INDEX executions_running ON executions (status) WHERE status = 'RUNNING';
CREATE INDEX executions_waking ON executions (wake_at) WHERE wake_at IS NOT NULL;

CREATE TABLE events (
  execution_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  previous_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  type TEXT NOT NULL,
  details TEXT,                            -- JSON of the *EventDetails object
  lane INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;

CREATE TABLE map_runs (
  arn TEXT PRIMARY KEY,
  execution_arn TEXT NOT NULL,
  status TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  max_concurrency INTEGER NOT NULL DEFAULT 0,
  tolerated_failure_percentage REAL NOT NULL DEFAULT 0,
  tolerated_failure_count INTEGER NOT NULL DEFAULT 0,
  item_counts TEXT,
  execution_counts TEXT
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_arn);
