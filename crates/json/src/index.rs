//! `value["key"]`, `value[0]` and [`Json::get`], as in serde_json: a missing member reads as
//! `null` through indexing and as `None` through `get`.

use std::ops::Index;

use crate::Json;

static NULL: Json = Json::Null;

/// What can index a [`Json`]: a key (of an object) or a position (in an array).
pub trait JsonIndex {
    /// The member this names in `v`, if there is one.
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json>;
}

impl JsonIndex for str {
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json> {
        v.as_object().and_then(|o| o.get(self))
    }
}

impl JsonIndex for String {
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json> {
        self.as_str().index_into(v)
    }
}

impl JsonIndex for usize {
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json> {
        v.as_array().and_then(|a| a.get(*self))
    }
}

impl<T: JsonIndex + ?Sized> JsonIndex for &T {
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json> {
        (**self).index_into(v)
    }
}

impl Json {
    /// The member named by `index` (a key or a position), if there is one.
    pub fn get<I: JsonIndex>(&self, index: I) -> Option<&Json> {
        index.index_into(self)
    }

    /// The member named by `index`, to change (its container copied first if shared).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.as_object_mut().and_then(|o| o.get_mut(key))
    }
}

impl<I: JsonIndex> Index<I> for Json {
    type Output = Json;
    fn index(&self, index: I) -> &Json {
        index.index_into(self).unwrap_or(&NULL)
    }
}

impl JsonIndex for crate::Str {
    fn index_into<'v>(&self, v: &'v Json) -> Option<&'v Json> {
        self.as_str().index_into(v)
    }
}

/// `value["key"] = ...`, as serde_json: `null` becomes an object, and a missing key is added.
/// Panics on any other kind of value, as serde_json does (tests and examples use it; the
/// engine never indexes to write).
impl<'a> std::ops::IndexMut<&'a str> for Json {
    fn index_mut(&mut self, key: &'a str) -> &mut Json {
        if self.is_null() {
            *self = Json::Object(crate::Object::new());
        }
        match self {
            Json::Object(map) => {
                if !map.contains_key(key) {
                    map.insert(key.into(), Json::Null);
                }
                map.get_mut(key)
                    .unwrap_or_else(|| unreachable!("inserted above"))
            }
            other => panic!("cannot index into {} with a key", other),
        }
    }
}
