//! Jayway's normalised path form (`$['a'][0]`), which AWS quotes in its error causes.

use std::fmt::Write;

use crate::Segment;

/// `$` followed by the fragment of every segment.
pub(crate) fn normalized(segments: &[Segment]) -> String {
    let mut s = String::with_capacity(1 + segments.len() * 8);
    s.push('$');
    for seg in segments {
        push_fragment(&mut s, seg);
    }
    s
}

/// The fragment of one segment, as Jayway prints it (`['a']`, `[0]`, `[*]`, `..`, `[?]`).
pub(crate) fn fragment(seg: &Segment) -> String {
    let mut s = String::new();
    push_fragment(&mut s, seg);
    s
}

fn push_fragment(s: &mut String, seg: &Segment) {
    // Writing to a String cannot fail.
    let _ = match seg {
        Segment::Field(name) => write!(s, "['{name}']"),
        Segment::Fields(names) => {
            s.push('[');
            for (i, name) in names.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(s, "'{name}'");
            }
            s.push(']');
            Ok(())
        }
        Segment::Index(i) => write!(s, "[{i}]"),
        Segment::Indexes(list) => {
            s.push('[');
            for (n, i) in list.iter().enumerate() {
                if n > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{i}");
            }
            s.push(']');
            Ok(())
        }
        Segment::Slice { start, end, step } => {
            s.push('[');
            if let Some(v) = start {
                let _ = write!(s, "{v}");
            }
            s.push(':');
            if let Some(v) = end {
                let _ = write!(s, "{v}");
            }
            if let Some(v) = step {
                let _ = write!(s, ":{v}");
            }
            s.push(']');
            Ok(())
        }
        Segment::Wildcard => write!(s, "[*]"),
        Segment::Descendant => write!(s, ".."),
        Segment::Filter(_) => write!(s, "[?]"),
    };
}
