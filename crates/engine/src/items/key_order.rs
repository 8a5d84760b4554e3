//! The order of a CSV item's keys, as AWS gives it.
//!
//! AWS builds each CSV row's item in a Java `HashMap`, so the item's keys come out in that
//! map's iteration order, not in the header's: recorded against AWS, headers `0,True,{}` give
//! `{"0":…,"{}":…,"True":…}` and headers `H1,` give `{"":…,"H1":…}`. Users see this order in
//! every item, in the Map's output and in the history, so it is reproduced here.
//!
//! A `HashMap` iterates its table's buckets in index order, and each bucket's entries in the
//! order they were put (a resize splits a bucket keeping that order). The bucket of a key is its
//! `String.hashCode()`, spread (`h ^ (h >>> 16)`), masked by the table's size: 16 at first,
//! doubled whenever the number of distinct keys passes three quarters of it. (A bucket of eight
//! or more keys in a table of 64 or more becomes a tree, whose iteration still follows insertion
//! order; that is not modelled separately, and needs hundreds of colliding headers anyway.)

/// The order in which a Java `HashMap` holding `keys` (distinct, in insertion order) iterates
/// them: indices into `keys`.
pub fn java_hash_map_order<S: AsRef<str>>(keys: &[S]) -> Vec<usize> {
    let capacity = table_capacity(keys.len());
    let mut order: Vec<usize> = (0..keys.len()).collect();
    // A stable sort keeps insertion order within a bucket.
    order.sort_by_key(|&i| bucket(keys[i].as_ref(), capacity));
    order
}

/// The table size of a default `HashMap` (capacity 16, load factor 0.75) after `n` distinct
/// keys were put.
fn table_capacity(n: usize) -> usize {
    let mut capacity = 16usize;
    while n > capacity / 4 * 3 {
        capacity *= 2;
    }
    capacity
}

/// `key`'s bucket in a table of `capacity` (a power of two).
fn bucket(key: &str, capacity: usize) -> usize {
    let h = java_string_hash(key);
    let spread = h ^ (h >> 16);
    (spread as usize) & (capacity - 1)
}

/// Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hashes_are_javas() {
        // Values of `"…".hashCode()` in Java.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("hello"), 99_162_322);
        // Wraps past i32: "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), 0x8000_0000);
        // Outside the BMP: two UTF-16 units.
        assert_eq!(
            java_string_hash("😀"),
            (0xD83Du32 * 31).wrapping_add(0xDE00)
        );
    }

    #[test]
    fn tables_grow_past_three_quarters() {
        assert_eq!(table_capacity(0), 16);
        assert_eq!(table_capacity(12), 16);
        assert_eq!(table_capacity(13), 32);
        assert_eq!(table_capacity(24), 32);
        assert_eq!(table_capacity(25), 64);
    }
}
