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

#[cfg(test)]
mod tests {
    use super::referenced_names;

    #[test]
    fn finds_names() {
        assert_eq!(
            referenced_names("$sum($states.input.x) + $var_1 & $café"),
            vec!["café", "states", "sum", "var_1"]
        );
        assert!(referenced_names("$ + $$").is_empty());
    }
}
