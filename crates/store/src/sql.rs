//! The statement boundary between the typed modules and the database underneath: values bound
//! to a statement ([`Param`], [`ToParam`]), the row a query gives ([`Row`], read with
//! [`Column`]), and the four ways a typed module runs a statement through a [`Db`]
//! ([`Db::run`], [`Db::one`], [`Db::opt`], [`Db::all`]).
//!
//! Why a boundary of our own: the store is to run on SQLite (embedded) and on PostgreSQL (many
//! nodes) behind the same typed functions. Their drivers bind and read values through
//! different traits (`rusqlite::ToSql`/`FromSql`, `postgres_types::ToSql`/`FromSql`), so a
//! typed function that named either could serve only one. Statements are written once, in the
//! SQL both databases read (`?N` placeholders, `ON CONFLICT`, no `rowid`), with the few types
//! both store the same way: 64-bit integers, doubles, text, bytes and (as integers) booleans.
//! A module moved onto this boundary no longer imports `rusqlite`.
//!
//! On PostgreSQL a statement's `?N` placeholders become `$N` ([`postgres_sql`]), parameters
//! bind as the column's type asks (an integer into `BIGINT`, `INTEGER`, `SMALLINT` or
//! `BOOLEAN`), and rows are read the same way back.

use std::cell::RefCell;

use postgres::types::{IsNull, ToSql as PgToSql, Type};
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::db::{Backend, Db};
use crate::StoreError;

/// A value bound to a statement's placeholder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Param<'a> {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer (also booleans, as 0 and 1: SQLite has no boolean type).
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Blob(&'a [u8]),
}

/// A Rust value that binds to a placeholder.
pub(crate) trait ToParam {
    /// The value as bound.
    fn param(&self) -> Param<'_>;
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn param(&self) -> Param<'_> {
                Param::Int(i64::from(*self))
            }
        }
    )*};
}

integer_param!(i64, i32, u32, bool);

impl ToParam for f64 {
    fn param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for str {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToParam for Vec<u8> {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn param(&self) -> Param<'_> {
        (**self).param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn param(&self) -> Param<'_> {
        match self {
            Some(v) => v.param(),
            None => Param::Null,
        }
    }
}

/// SQLite binds a [`Param`] as the value it is.
impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(i) => ValueRef::Integer(i),
            Param::Real(r) => ValueRef::Real(r),
            Param::Text(t) => ValueRef::Text(t.as_bytes()),
            Param::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// PostgreSQL binds a [`Param`] as the column's type asks: an integer into any integer
/// column or a boolean one, a double, text or bytes as they are.
impl PgToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(i) => match *ty {
                Type::INT2 => i16::try_from(i)?.to_sql_checked(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql_checked(ty, out),
                Type::BOOL => (i != 0).to_sql_checked(ty, out),
                _ => i.to_sql_checked(ty, out),
            },
            Param::Real(r) => r.to_sql_checked(ty, out),
            Param::Text(t) => t.to_sql_checked(ty, out),
            Param::Blob(b) => b.to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true // each value checks its own type in `to_sql`
    }

    postgres::types::to_sql_checked!();
}

/// One row of a query's answer.
pub(crate) struct Row<'r> {
    inner: RowRef<'r>,
}

enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`; a column of another type is a corrupt store.
    pub(crate) fn get<T: Column>(&self, index: usize) -> Result<T, StoreError> {
        match self.inner {
            RowRef::Sqlite(row) => T::from_sqlite(row, index),
            RowRef::Postgres(row) => T::from_postgres(row, index),
        }
    }
}

/// A Rust value a column reads as.
pub(crate) trait Column: Sized {
    /// Reads column `index` of a SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError>;
    /// Reads column `index` of a PostgreSQL row.
    fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError>;
}

/// An integer column of any width (or a boolean), as an `i64`; `None` for `NULL`.
fn pg_integer(row: &postgres::Row, index: usize) -> Result<Option<i64>, StoreError> {
    let ty = row
        .columns()
        .get(index)
        .map(|c| c.type_().clone())
        .ok_or_else(|| StoreError::Corrupt(format!("no column {index}")))?;
    Ok(match ty {
        Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(i64::from),
        Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(i64::from),
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.map(i64::from),
        _ => row.try_get::<_, Option<i64>>(index)?,
    })
}

fn not_null<T>(value: Option<T>, index: usize) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Corrupt(format!("column {index} is NULL")))
}

fn narrow<T: TryFrom<i64>>(value: i64, index: usize) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("column {index} is out of range")))
}

macro_rules! column_integer {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
                Ok(row.get::<_, $t>(index)?)
            }
            fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError> {
                narrow(not_null(pg_integer(row, index)?, index)?, index)
            }
        }
        impl Column for Option<$t> {
            fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
                Ok(row.get::<_, Option<$t>>(index)?)
            }
            fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError> {
                pg_integer(row, index)?.map(|v| narrow(v, index)).transpose()
            }
        }
    )*};
}

column_integer!(i64, i32, u32);

impl Column for bool {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
        Ok(row.get::<_, bool>(index)?)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError> {
        Ok(not_null(pg_integer(row, index)?, index)? != 0)
    }
}

impl Column for Option<bool> {
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
        Ok(row.get::<_, Option<bool>>(index)?)
    }
    fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError> {
        Ok(pg_integer(row, index)?.map(|v| v != 0))
    }
}

macro_rules! column_as_is {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
                Ok(row.get::<_, $t>(index)?)
            }
            fn from_postgres(row: &postgres::Row, index: usize) -> Result<Self, StoreError> {
                Ok(row.try_get::<_, $t>(index)?)
            }
        }
    )*};
}

column_as_is!(
    f64,
    String,
    Vec<u8>,
    Option<f64>,
    Option<String>,
    Option<Vec<u8>>
);

/// A PostgreSQL connection the store runs statements on: a client, or a transaction open on
/// one. Shared as `&dyn PgSession` by the handles, which are `Copy`, so the session is
/// borrowed mutably only for the length of one statement.
pub(crate) trait PgSession {
    /// Runs a statement that returns no rows; how many rows it changed.
    fn execute(&self, sql: &str, params: &[&(dyn PgToSql + Sync)]) -> Result<u64, StoreError>;
    /// Runs a query; its rows.
    fn query(
        &self,
        sql: &str,
        params: &[&(dyn PgToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError>;
}

impl PgSession for RefCell<postgres::Client> {
    fn execute(&self, sql: &str, params: &[&(dyn PgToSql + Sync)]) -> Result<u64, StoreError> {
        Ok(self.borrow_mut().execute(sql, params)?)
    }
    fn query(
        &self,
        sql: &str,
        params: &[&(dyn PgToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        Ok(self.borrow_mut().query(sql, params)?)
    }
}

impl PgSession for RefCell<postgres::Transaction<'_>> {
    fn execute(&self, sql: &str, params: &[&(dyn PgToSql + Sync)]) -> Result<u64, StoreError> {
        Ok(self.borrow_mut().execute(sql, params)?)
    }
    fn query(
        &self,
        sql: &str,
        params: &[&(dyn PgToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        Ok(self.borrow_mut().query(sql, params)?)
    }
}

/// A statement's text for PostgreSQL: each `?N` placeholder (outside quoted text) as `$N`.
pub(crate) fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// The parameters as SQLite binds them (no copy: each is read where it lies).
fn sqlite_params<'p>(
    params: &'p [&'p dyn ToParam],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = Param<'p>>> {
    rusqlite::params_from_iter(params.iter().map(|p| p.param()))
}

/// Runs `f` with the parameters as PostgreSQL binds them.
fn with_postgres_params<T>(
    params: &[&dyn ToParam],
    f: impl FnOnce(&[&(dyn PgToSql + Sync)]) -> T,
) -> T {
    let values: Vec<Param<'_>> = params.iter().map(|p| p.param()).collect();
    let refs: Vec<&(dyn PgToSql + Sync)> = values.iter().map(|v| v as _).collect();
    f(&refs)
}

impl<'a> Db<'a> {
    /// Runs a statement that returns no rows; how many rows it changed.
    pub(crate) fn run(&self, sql: &str, params: &[&dyn ToParam]) -> Result<usize, StoreError> {
        match self.backend() {
            Backend::Sqlite(conn) => {
                Ok(conn.prepare_cached(sql)?.execute(sqlite_params(params))?)
            }
            Backend::Postgres(session) => {
                let sql = postgres_sql(sql);
                let changed = with_postgres_params(params, |p| session.execute(&sql, p))?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// The one row a query must give, read by `read`; no row is [`StoreError::NotFound`].
    pub(crate) fn one<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        read: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.opt(sql, params, read)?.ok_or(StoreError::NotFound)
    }

    /// The first row of a query, if it gives one, read by `read`.
    pub(crate) fn opt<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        read: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        match self.backend() {
            Backend::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(sqlite_params(params))?;
                match rows.next()? {
                    Some(row) => read(&Row {
                        inner: RowRef::Sqlite(row),
                    })
                    .map(Some),
                    None => Ok(None),
                }
            }
            Backend::Postgres(session) => {
                let sql = postgres_sql(sql);
                let rows = with_postgres_params(params, |p| session.query(&sql, p))?;
                rows.first()
                    .map(|row| {
                        read(&Row {
                            inner: RowRef::Postgres(row),
                        })
                    })
                    .transpose()
            }
        }
    }

    /// Every row of a query, each read by `read`, in the order the query gives them.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        match self.backend() {
            Backend::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(sqlite_params(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(read(&Row {
                        inner: RowRef::Sqlite(row),
                    })?);
                }
                Ok(out)
            }
            Backend::Postgres(session) => {
                let sql = postgres_sql(sql);
                let rows = with_postgres_params(params, |p| session.query(&sql, p))?;
                rows.iter()
                    .map(|row| {
                        read(&Row {
                            inner: RowRef::Postgres(row),
                        })
                    })
                    .collect()
            }
        }
    }
}
