//! [`Object`]: a shared JSON object that keeps its keys in order and remembers its size.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::memo::Memo;
use crate::{Json, Str};

/// The members of an object, in insertion order (as serde_json's `preserve_order`, which AWS's
/// outputs follow).
///
/// foldhash rather than SipHash: an object's keys are hashed on every lookup, and a table that
/// seeds per process keeps the protection against chosen collisions that matters here.
pub type Map = indexmap::IndexMap<Str, Json, foldhash::fast::RandomState>;

/// Up to this many members, [`Object::get`] compares keys instead of hashing.
const SCAN_LIMIT: usize = 8;

/// A JSON object. Cloning shares it; changing it through `DerefMut` copies it first if it is
/// shared (one level: the values stay shared) and forgets its size.
#[derive(Clone, Default)]
pub struct Object(Arc<Node>);

#[derive(Clone, Default)]
struct Node {
    map: Map,
    /// What is known of it (its size, its numbers) until it changes.
    memo: Memo,
}

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object::default()
    }

    /// An empty object with room for `n` members.
    pub fn with_capacity(n: usize) -> Object {
        Object::from(Map::with_capacity_and_hasher(n, Default::default()))
    }

    /// Whether both are the same allocation.
    pub fn ptr_eq(a: &Object, b: &Object) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    /// The members, owned: free when this is the only reference, a shallow copy otherwise.
    pub fn into_map(self) -> Map {
        match Arc::try_unwrap(self.0) {
            Ok(node) => node.map,
            Err(shared) => shared.map.clone(),
        }
    }

    /// The value of `key`. (A method of its own rather than the map's, so that a `&String` key
    /// works as with serde_json.)
    pub fn get(&self, key: &str) -> Option<&Json> {
        let map = &self.0.map;
        // Most objects a workflow reads have a few members: comparing keys one by one is
        // cheaper than hashing the key to probe the table.
        if map.len() <= SCAN_LIMIT {
            return map
                .iter()
                .find_map(|(k, v)| (k.as_str() == key).then_some(v));
        }
        map.get(key)
    }

    /// The value of `key`, to change (the object copied first if shared).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.deref_mut().get_mut(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (at the end if new, in its place if not), returning the value it had.
    pub fn insert(&mut self, key: Str, value: Json) -> Option<Json> {
        self.deref_mut().insert(key, value)
    }

    /// Removes `key`, moving the last member into its place, as serde_json's `remove` does with
    /// `preserve_order`.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        if !self.contains_key(key) {
            return None;
        }
        self.deref_mut().swap_remove(key)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Json> {
        if !self.contains_key(key) {
            return None;
        }
        self.deref_mut().shift_remove(key)
    }

    pub(crate) fn address(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    pub(crate) fn memo(&self) -> &Memo {
        &self.0.memo
    }
}

impl Deref for Object {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.0.map
    }
}

impl DerefMut for Object {
    fn deref_mut(&mut self) -> &mut Map {
        let node = Arc::make_mut(&mut self.0);
        node.memo.forget();
        &mut node.map
    }
}

impl From<Map> for Object {
    fn from(map: Map) -> Object {
        Object(Arc::new(Node {
            map,
            memo: Memo::default(),
        }))
    }
}

impl<K: Into<Str>> FromIterator<(K, Json)> for Object {
    fn from_iter<I: IntoIterator<Item = (K, Json)>>(iter: I) -> Object {
        Object::from(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v))
                .collect::<Map>(),
        )
    }
}

impl IntoIterator for Object {
    type Item = (Str, Json);
    type IntoIter = indexmap::map::IntoIter<Str, Json>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_map().into_iter()
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a Str, &'a Json);
    type IntoIter = indexmap::map::Iter<'a, Str, Json>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map.iter()
    }
}

/// Equal members, in any order (as serde_json's objects compare).
impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        Object::ptr_eq(self, other) || self.0.map == other.0.map
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (&**k, v)))
            .finish()
    }
}
