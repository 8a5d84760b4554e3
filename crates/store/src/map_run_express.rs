//! The Express children of failed map runs that succeeded (migration 7): what a redrive of the
//! map run need not run again, and their outputs.

use std::collections::HashMap;

use crate::{Db, StoreError, Tx};

/// One map run's succeeded Express children: their indexes, and their outputs (JSON text) when
/// the Map state gathers them.
pub type Succeeded = HashMap<u64, Option<String>>;

/// Records that the Express children `rows` (index, output) of `map_run_arn` succeeded.
pub fn put(
    tx: &Tx<'_>,
    map_run_arn: &str,
    rows: &[(u64, Option<String>)],
) -> Result<(), StoreError> {
    for (idx, output) in rows {
        tx.run(
            "INSERT INTO map_run_express (map_run_arn, idx, output) VALUES (?1, ?2, ?3) \
             ON CONFLICT (map_run_arn, idx) DO UPDATE SET output = excluded.output",
            &[&map_run_arn, &(*idx as i64), output],
        )?;
    }
    Ok(())
}

/// The succeeded Express children of the map runs of `execution_arn`, by map run.
pub fn of_execution(
    conn: &Db<'_>,
    execution_arn: &str,
) -> Result<HashMap<String, Succeeded>, StoreError> {
    let mut out: HashMap<String, Succeeded> = HashMap::new();
    conn.all(
        "SELECT e.map_run_arn, e.idx, e.output FROM map_run_express e \
         JOIN map_runs m ON m.arn = e.map_run_arn WHERE m.execution_arn = ?1",
        &[&execution_arn],
        |r| {
            let idx: i64 = r.get(1)?;
            out.entry(r.get(0)?)
                .or_default()
                .insert(idx as u64, r.get(2)?);
            Ok(())
        },
    )?;
    Ok(out)
}
