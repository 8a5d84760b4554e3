-- Migration 6: a Distributed Map's Standard children are executions of their own, each with its
-- history; `map_run_arn` names the map run that started one (NULL for every other execution).
-- Their parent runs them (they are never resumed on their own) and `parent_id` links them to it,
-- so stopping the parent stops them. `ListExecutions --map-run-arn` and `DescribeMapRun`'s
-- counts read them by map run.
ALTER TABLE executions ADD COLUMN map_run_arn TEXT;
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date DESC, id DESC)
  WHERE map_run_arn IS NOT NULL;
-- A map run redriven with its execution (`MapRunRedriven`): how often, and when last.
ALTER TABLE map_runs ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE map_runs ADD COLUMN redrive_date INTEGER;
