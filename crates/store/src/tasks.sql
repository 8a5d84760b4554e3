-- Migration 2: activities, task tokens, and the links that nested executions need.

CREATE TABLE activities (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  encryption TEXT                          -- JSON encryptionConfiguration, as sent
);
-- ListActivities pages in creation order.
CREATE INDEX activities_by_created ON activities (created, arn);

-- A task that waits for something outside its execution: a callback (`.waitForTaskToken`),
-- an activity worker, or a child execution (`.sync`). The row is written in the same commit
-- as the task's scheduling event, and the answer (SendTask*, the child's end) is written here
-- before the execution is woken, so neither is lost to a restart.
CREATE TABLE task_tokens (
  token TEXT PRIMARY KEY,
  execution_id INTEGER NOT NULL,
  task_key TEXT NOT NULL UNIQUE,           -- the dispatch's idempotency key
  kind TEXT NOT NULL,                      -- CALLBACK | ACTIVITY | SYNC
  status TEXT NOT NULL,                    -- SCHEDULED | STARTED | CLOSED
  activity_arn TEXT,                       -- ACTIVITY: the activity that serves it
  input TEXT,                              -- ACTIVITY: the input a worker gets
  worker_name TEXT,                        -- ACTIVITY: who took it
  child_execution_id INTEGER,              -- SYNC: the child execution
  heartbeat_seconds INTEGER,
  last_beat INTEGER,                       -- micros: scheduling, start, or the last heartbeat
  outcome TEXT,                            -- JSON {"output": v} | {"error": e, "cause": c}
  created INTEGER NOT NULL
);
CREATE INDEX task_tokens_by_execution ON task_tokens (execution_id);
CREATE INDEX task_tokens_waiting ON task_tokens (activity_arn, created)
  WHERE kind = 'ACTIVITY' AND status = 'SCHEDULED';
CREATE INDEX task_tokens_by_child ON task_tokens (child_execution_id)
  WHERE child_execution_id IS NOT NULL;

-- The execution that started this one (`AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`, or a
-- `.sync` task): stopping the parent stops its children.
ALTER TABLE executions ADD COLUMN parent_id INTEGER;
CREATE INDEX executions_by_parent ON executions (parent_id) WHERE parent_id IS NOT NULL;
-- The mock test case (`stateMachineArn#TestCase`) the execution runs with.
ALTER TABLE executions ADD COLUMN mock_test_case TEXT;
