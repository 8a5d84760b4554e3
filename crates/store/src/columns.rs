//! Conversions between Rust values and the columns of the control-plane tables, shared by the
//! typed modules. Anything read back that does not parse is [`StoreError::Corrupt`]: the
//! store only ever writes valid values, so a bad one means the file was altered.

use serde_json::Value;

use crate::StoreError;

/// A JSON column's text from the value the API sent.
pub(crate) fn json_text(value: Option<&Value>) -> Option<String> {
    value.map(Value::to_string)
}

/// A JSON column back to a value; `column` names it in the error.
pub(crate) fn json_value(column: &str, text: Option<String>) -> Result<Option<Value>, StoreError> {
    text.map(|text| {
        serde_json::from_str(&text)
            .map_err(|error| StoreError::Corrupt(format!("column {column} is not JSON: {error}")))
    })
    .transpose()
}

/// A page size as an SQL `LIMIT` (SQLite integers are signed).
pub(crate) fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A row count (never negative) as a `usize`.
pub(crate) fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// An `UPDATE` that changed one row succeeded; none changed means the record was not there.
pub(crate) fn one_row(changed: usize) -> Result<(), StoreError> {
    if changed == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Declares a text enum stored as its AWS spelling, with `as_str` and `parse`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The AWS spelling, as stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value for an AWS spelling, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Reads a stored value; an unknown spelling means a corrupt row.
            pub(crate) fn from_column(text: &str) -> Result<Self, $crate::StoreError> {
                Self::parse(text).ok_or_else(|| {
                    $crate::StoreError::Corrupt(format!(
                        "{text:?} is not a {}",
                        stringify!($name)
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;
