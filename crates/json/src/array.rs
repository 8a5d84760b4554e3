//! [`Array`]: a shared JSON array that remembers its size.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::memo::Memo;
use crate::Json;

/// A JSON array. Cloning shares it; changing it through `DerefMut` copies it first if it is
/// shared (one level: the elements themselves stay shared) and forgets its size.
#[derive(Clone, Default)]
pub struct Array(Arc<Node>);

#[derive(Clone, Default)]
struct Node {
    items: Vec<Json>,
    /// What is known of it (its size, its numbers) until it changes.
    memo: Memo,
}

impl Array {
    /// An empty array.
    pub fn new() -> Array {
        Array::default()
    }

    /// An empty array with room for `n` elements.
    pub fn with_capacity(n: usize) -> Array {
        Array::from(Vec::with_capacity(n))
    }

    /// Whether both are the same allocation.
    pub fn ptr_eq(a: &Array, b: &Array) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }

    /// The elements, owned: free when this is the only reference, a shallow copy otherwise.
    pub fn into_vec(self) -> Vec<Json> {
        match Arc::try_unwrap(self.0) {
            Ok(node) => node.items,
            Err(shared) => shared.items.clone(),
        }
    }

    pub(crate) fn address(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    pub(crate) fn memo(&self) -> &Memo {
        &self.0.memo
    }
}

impl Deref for Array {
    type Target = Vec<Json>;
    fn deref(&self) -> &Vec<Json> {
        &self.0.items
    }
}

impl DerefMut for Array {
    fn deref_mut(&mut self) -> &mut Vec<Json> {
        let node = Arc::make_mut(&mut self.0);
        node.memo.forget();
        &mut node.items
    }
}

impl From<Vec<Json>> for Array {
    fn from(items: Vec<Json>) -> Array {
        Array(Arc::new(Node {
            items,
            memo: Memo::default(),
        }))
    }
}

impl FromIterator<Json> for Array {
    fn from_iter<I: IntoIterator<Item = Json>>(iter: I) -> Array {
        Array::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl IntoIterator for Array {
    type Item = Json;
    type IntoIter = std::vec::IntoIter<Json>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Array {
    type Item = &'a Json;
    type IntoIter = std::slice::Iter<'a, Json>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.items.iter()
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        Array::ptr_eq(self, other) || self.0.items == other.0.items
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
