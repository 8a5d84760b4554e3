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

use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::db::Db;
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

impl ToParam for i64 {
    fn param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for i32 {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for u32 {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for f64 {
    fn param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for bool {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
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

/// One row of a query's answer.
pub(crate) struct Row<'r> {
    sqlite: &'r rusqlite::Row<'r>,
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`; a column of another type is a corrupt store.
    pub(crate) fn get<T: Column>(&self, index: usize) -> Result<T, StoreError> {
        T::from_sqlite(self.sqlite, index)
    }
}

/// A Rust value a column reads as.
pub(crate) trait Column: Sized {
    /// Reads column `index` of a SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError>;
}

macro_rules! column_via_rusqlite {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, index: usize) -> Result<Self, StoreError> {
                Ok(row.get::<_, $t>(index)?)
            }
        }
    )*};
}

column_via_rusqlite!(
    i64,
    i32,
    u32,
    f64,
    bool,
    String,
    Vec<u8>,
    Option<i64>,
    Option<i32>,
    Option<u32>,
    Option<f64>,
    Option<bool>,
    Option<String>,
    Option<Vec<u8>>
);

/// The parameters as SQLite binds them (no copy: each is read where it lies).
fn sqlite_params<'p>(
    params: &'p [&'p dyn ToParam],
) -> rusqlite::ParamsFromIter<impl Iterator<Item = Param<'p>>> {
    rusqlite::params_from_iter(params.iter().map(|p| p.param()))
}

impl<'a> Db<'a> {
    /// Runs a statement that returns no rows; how many rows it changed.
    pub(crate) fn run(&self, sql: &str, params: &[&dyn ToParam]) -> Result<usize, StoreError> {
        Ok(self.prepare_cached(sql)?.execute(sqlite_params(params))?)
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
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(sqlite_params(params))?;
        match rows.next()? {
            Some(row) => read(&Row { sqlite: row }).map(Some),
            None => Ok(None),
        }
    }

    /// Every row of a query, each read by `read`, in the order the query gives them.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(sqlite_params(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read(&Row { sqlite: row })?);
        }
        Ok(out)
    }
}
