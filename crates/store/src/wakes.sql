-- How many times something gave a RUNNING execution work to do while it may have been out of
-- memory (a task answered, an activity taken, a `.sync` child ended). Each such write also
-- clears `wake_at`, so a restart resumes the execution at once. A run remembers the count it
-- loaded; parking commits its wake-up time only if the count is unchanged, so an answer that
-- lands while the execution is parking is never left behind a far-off wake-up time.
ALTER TABLE executions ADD COLUMN wakes INTEGER NOT NULL DEFAULT 0;
