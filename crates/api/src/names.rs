//! Name rules for state machines, executions and aliases.
//!
//! AWS documents that a name must not contain: white space; brackets `< > { } [ ]`; wildcard
//! characters `? *`; special characters `" # % \ ^ | ~ ` $ & , ; : /`; control characters
//! (U+0000-001F, U+007F-009F, U+FFFE-FFFF). Such a name is refused with `InvalidName`. The
//! length (1-80) is a model constraint, reported as a `ValidationException` by the request
//! reader before these rules run.
//!
//! Alias names follow a stricter model pattern, `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`
//! (letters, digits, `_`, `-`, `.`, and not only digits, so that an alias ARN cannot be
//! mistaken for a version ARN); breaking it is a `ValidationException`.

use crate::error::{constraint, ApiError, ConstraintValue};

/// The characters AWS forbids in names, besides white space and control characters.
const FORBIDDEN: &[char] = &[
    '<', '>', '{', '}', '[', ']', '?', '*', '"', '#', '%', '\\', '^', '|', '~', '`', '$', '&', ',',
    ';', ':', '/',
];

/// The alias name pattern, as AWS quotes it in its messages.
pub const ALIAS_PATTERN: &str = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$";

fn forbidden(c: char) -> bool {
    c.is_whitespace()
        || FORBIDDEN.contains(&c)
        || matches!(c as u32, 0x00..=0x1F | 0x7F..=0x9F | 0xFFFE..=0xFFFF)
}

/// True when `name` uses only characters AWS allows in a state machine or execution name.
pub fn is_valid_name(name: &str) -> bool {
    !name.chars().any(forbidden)
}

/// Refuses a state machine or execution name with a forbidden character (`InvalidName`).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(ApiError::invalid_name(name))
    }
}

/// True when `name` matches [`ALIAS_PATTERN`].
pub fn is_valid_alias_name(name: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    !name.is_empty() && name.chars().all(allowed) && name.chars().any(|c| !c.is_ascii_digit())
}

/// The pattern violation for an alias name, if it breaks [`ALIAS_PATTERN`].
pub fn alias_name_violation(field: &str, name: &str) -> Option<String> {
    if name.is_empty() || is_valid_alias_name(name) {
        // An empty name is reported by its length rule.
        None
    } else {
        Some(constraint(
            ConstraintValue::Shown(name),
            field,
            &format!("Member must satisfy regular expression pattern: {ALIAS_PATTERN}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machine_names() {
        for ok in [
            "hello",
            "Hello-World_1.2",
            "123",
            "é-ünicode",
            "a(b)c",
            "a@b+c=d!'",
        ] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "a b",
            "a\tb",
            "a<b",
            "a{b",
            "a]b",
            "a?b",
            "a*b",
            "a\"b",
            "a#b",
            "a%b",
            "a\\b",
            "a^b",
            "a|b",
            "a~b",
            "a`b",
            "a$b",
            "a&b",
            "a,b",
            "a;b",
            "a:b",
            "a/b",
            "a\u{0}b",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{fffe}b",
            "a\u{a0}b",
        ] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
        let e = check_name("a b").unwrap_err();
        assert_eq!(e.code(), "InvalidName");
        assert_eq!(e.message(), "Invalid Name: 'a b'");
    }

    #[test]
    fn alias_names() {
        for ok in ["prod", "v1.2", "_", "a-b", "1a"] {
            assert!(is_valid_alias_name(ok), "{ok}");
        }
        for bad in ["123", "INVALID ALIAS", "!INVALID", "ALIAS@", ""] {
            assert!(!is_valid_alias_name(bad), "{bad}");
        }
        assert_eq!(
            alias_name_violation("name", "123").unwrap(),
            "Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
        );
    }
}
