//! Which `$names` an expression mentions.
//!
//! Binding a variable means converting its JSON into the evaluator's value type, and a
//! workflow may hold many large variables, so evaluation binds only the names the expression
//! text mentions. Without `$eval` (unsupported on AWS, see `functions`) JSONata has no way to
//! reach a variable whose name is not written in the expression, so a textual scan is exact
//! enough: a `$name` inside a string literal only costs an unneeded binding.

use std::collections::BTreeSet;

/// Characters that end a JSONata name (jsonata-js: operators and whitespace).
fn ends_name(c: char) -> bool {
    c.is_whitespace() || ".[]{}()?:;,=<>!~+-*/%&|^@#\"'`$".contains(c)
}

/// Every `$name` in `src` (without the `$`), deduplicated and sorted.
pub(crate) fn referenced_names(src: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let end = rest.find(ends_name).unwrap_or(rest.len());
        if end > 0 {
            out.insert(rest[..end].to_string());
        }
        rest = &rest[end..];
    }
    out.into_iter().collect()
}

/// Which members of `$states` an expression reads: a bit per member (`1 << StatesMember::index`), or
/// `None` when it may read the object in any other way (`$states` alone, `$states.*`,
/// `$keys($states)`, a quoted member ...) and so needs all of it.
pub(crate) type StatesUse = Option<u8>;

/// [`StatesUse`] of `src`, by the same textual scan: every `$states` must be followed by `.`
/// and a plain member name, else the whole object is needed. A `$states` inside a string
/// literal only costs a member converted for nothing.
pub(crate) fn states_use(src: &str) -> StatesUse {
    let mut used = 0u8;
    let mut rest = src;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let end = rest.find(ends_name).unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        if name != "states" {
            continue;
        }
        let after = rest.trim_start();
        let member = after.strip_prefix('.')?.trim_start();
        let end = member.find(ends_name).unwrap_or(member.len());
        if end == 0 {
            return None;
        }
        if let Some(member) = crate::env::StatesMember::named(&member[..end]) {
            used |= 1 << member.index();
        }
    }
    Some(used)
}

#[cfg(test)]
mod tests {
    use super::{referenced_names, states_use};

    #[test]
    fn which_members_of_states_are_read() {
        assert_eq!(
            states_use("$states.input.a + $states .context.b"),
            Some(0b11)
        );
        assert_eq!(
            states_use("$states.result ? $states.errorOutput : 1"),
            Some(0b1100)
        );
        assert_eq!(states_use("$x + $statesX"), Some(0));
        assert_eq!(states_use("$states"), None);
        assert_eq!(states_use("$keys($states)"), None);
        assert_eq!(states_use("$states.*"), None);
        assert_eq!(states_use("$states.`input`"), None);
        assert_eq!(states_use("$states.input.a & $states"), None);
        assert_eq!(states_use("$states.other"), Some(0));
    }

    #[test]
    fn finds_names() {
        assert_eq!(
            referenced_names("$sum($states.input.x) + $var_1 & $café"),
            vec!["café", "states", "sum", "var_1"]
        );
        assert!(referenced_names("$ + $$").is_empty());
    }
}
