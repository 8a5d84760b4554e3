//! Text helpers: width estimates, truncation and escaping.
//!
//! The layout runs on the server without fonts, so text widths are estimated from character
//! classes of a generic sans-serif face. The estimates err on the wide side so that text stays
//! inside its box in common browser fonts.

/// The estimated width in pixels of `text` at `font_size`.
pub(crate) fn width(text: &str, font_size: f64) -> f64 {
    let em: f64 = text.chars().map(char_em).sum();
    em * font_size
}

/// Width of one character in ems, by rough class.
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '!' | '|' | '.' | ',' | ':' | ';' | '\'' | '`' => 0.28,
        'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' | '{' | '}' | '-' | '/' => 0.36,
        'm' | 'w' | 'M' | 'W' | '@' => 0.86,
        'A'..='Z' => 0.68,
        'a'..='z' | '0'..='9' | '$' | '_' | '#' | '*' | '?' => 0.56,
        '"' | '=' | '<' | '>' | '+' | '~' | '^' | '&' | '%' => 0.6,
        c if c.is_ascii() => 0.5,
        // CJK, Hangul, full-width forms and emoji are about one em wide.
        c if (c as u32) >= 0x2E80 => 1.0,
        _ => 0.62,
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` escaped for XML character data and attribute values (either quote).
///
/// Characters that XML 1.0 forbids (most C0 controls) are replaced by U+FFFD, so that odd
/// names never make the document ill-formed.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A number for SVG output: one decimal at most, never NaN or infinite.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("ééééé", 4), "ééé…");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}"
        );
        assert_eq!(xml_escape("x\ny"), "x&#10;y");
    }

    #[test]
    fn numbers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(3.04), "3");
        assert_eq!(num(-2.56), "-2.6");
        assert_eq!(num(f64::NAN), "0");
    }
}
