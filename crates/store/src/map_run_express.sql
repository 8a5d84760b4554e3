-- Migration 7: the Express children of a map run that failed, which succeeded. Express children
-- leave no execution of their own, so a redrive of their map run would otherwise run them all
-- again; AWS reruns only those that did not succeed. `output` is the child's output (JSON
-- text) when the Map state gathers outputs, else NULL.
CREATE TABLE map_run_express (
  map_run_arn TEXT NOT NULL,
  idx INTEGER NOT NULL,
  output TEXT,
  PRIMARY KEY (map_run_arn, idx)
) WITHOUT ROWID;
