//! The store on PostgreSQL, for several server nodes: so far, the store's schema in
//! PostgreSQL's form ([`create_schema`], `postgres_schema.sql`) and the typed functions run
//! inside a transaction on a PostgreSQL client ([`in_transaction`]), through the same
//! statement boundary as on SQLite ([`crate::sql`]). The PostgreSQL store itself (its writer,
//! readers, migrations and the leases that let several nodes share it) comes next; see
//! ARCHITECTURE.md, "The store's boundary, and the way to PostgreSQL".

use std::cell::RefCell;

use crate::db::Tx;
use crate::StoreError;

/// The store's tables and indexes, as SQLite's migrations leave them, in PostgreSQL's types.
pub const SCHEMA: &str = include_str!("postgres_schema.sql");

/// Creates the store's tables in the client's current schema (its `search_path`).
pub fn create_schema(client: &mut postgres::Client) -> Result<(), StoreError> {
    Ok(client.batch_execute(SCHEMA)?)
}

/// Runs `work` in one transaction on `client`, committed when it succeeds and rolled back
/// when it fails. `work` gets the same [`Tx`] handle the SQLite store's writes get, so the
/// typed functions (`tags::put`, `activities::list`, ...) run unchanged.
pub fn in_transaction<T>(
    client: &mut postgres::Client,
    work: impl FnOnce(&Tx<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let session = RefCell::new(client.transaction()?);
    let outcome = work(&Tx::postgres(&session));
    let transaction = session.into_inner();
    match outcome {
        Ok(value) => {
            transaction.commit()?;
            Ok(value)
        }
        Err(error) => {
            transaction.rollback()?;
            Err(error)
        }
    }
}
