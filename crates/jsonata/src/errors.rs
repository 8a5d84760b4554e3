//! Error text in jsonata-js form.
//!
//! AWS reports a failed evaluation as `CODE: message` with jsonata-js's message text, e.g.
//! `T1006: Attempted to invoke a non-function`. `jsonata-core` mostly uses the same text but
//! appends details to a few messages (`T1006: Attempted to invoke a non-function: $foo`);
//! those details are cut here so the cause matches AWS's.

/// jsonata-js messages that carry no details; anything `jsonata-core` adds after them is cut.
const FIXED: &[&str] = &[
    "T1006: Attempted to invoke a non-function",
    "D1001: Number out of range",
];

/// `message` as jsonata-js would word it.
pub(crate) fn normalize(message: &str) -> String {
    for fixed in FIXED {
        if let Some(rest) = message.strip_prefix(fixed) {
            if rest.is_empty() || rest.starts_with(':') {
                return (*fixed).to_string();
            }
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn cuts_details() {
        assert_eq!(
            normalize("T1006: Attempted to invoke a non-function: $randomSeeded"),
            "T1006: Attempted to invoke a non-function"
        );
        assert_eq!(normalize("T2001: x"), "T2001: x");
    }
}
