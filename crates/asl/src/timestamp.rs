//! Timestamps in the form the States Language accepts: RFC 3339 with an uppercase `T`, and a
//! `Z` or numeric offset (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+01:00`).
//!
//! Time crates also accept a lowercase `t`/`z`, a space instead of `T`, or no offset; AWS
//! rejects those, so the shape is checked strictly before parsing.

use jiff::Timestamp;

/// Parses an ASL timestamp, or `None` when AWS would reject it.
pub fn parse(s: &str) -> Option<Timestamp> {
    if !has_asl_shape(s) {
        return None;
    }
    s.parse::<Timestamp>().ok()
}

fn has_asl_shape(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return false;
    }
    if b[10] != b'T'
        || !(digits(11..13) && b[13] == b':' && digits(14..16) && b[16] == b':' && digits(17..19))
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_aws_forms() {
        assert!(parse("2016-03-14T01:59:00Z").is_some());
        assert!(parse("2016-03-14T01:59:00.123Z").is_some());
        assert!(parse("2016-03-14T01:59:00+01:00").is_some());
        assert!(parse("2016-03-14T01:59:00.000000001Z").is_some());
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for bad in [
            "2016-03-14t01:59:00Z",
            "2016-03-14T01:59:00z",
            "2016-03-14 01:59:00Z",
            "2016-03-14T01:59:00",
            "2016-13-05T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "05-12-2016T21:29:29Z",
            "",
            "ééééééééééééééééééééé",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
