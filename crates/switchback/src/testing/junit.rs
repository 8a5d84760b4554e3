//! The report as JUnit XML (`--junit FILE`): what CI systems (GitHub Actions, GitLab,
//! Jenkins) read to show test results. One `<testsuite>` per test file, one `<testcase>` per
//! case, a `<failure>` holding the misses of a failed case.

use std::fmt::Write as _;

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its misses (none: passed) or why it could not run.
    pub misses: Vec<String>,
    /// How long it took, in seconds.
    pub seconds: f64,
}

/// One test file's results.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// The test file, as given.
    pub file: String,
    /// Its cases.
    pub cases: Vec<CaseResult>,
    /// Why the file could not be run at all, if so.
    pub error: Option<String>,
}

/// The JUnit XML of `files`.
pub fn xml(files: &[FileResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for f in files {
        let failures = f.cases.iter().filter(|c| !c.misses.is_empty()).count();
        let seconds: f64 = f.cases.iter().map(|c| c.seconds).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
            escape(&f.file),
            f.cases.len().max(usize::from(f.error.is_some())),
            failures,
            usize::from(f.error.is_some()),
            seconds
        );
        if let Some(e) = &f.error {
            let _ = writeln!(
                out,
                "    <testcase name=\"(the file)\" classname=\"{}\">\n      <error message=\"{}\"/>\n    </testcase>",
                escape(&f.file),
                escape(e)
            );
        }
        for c in &f.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(&c.name),
                escape(&f.file),
                c.seconds
            );
            if c.misses.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                    escape(&c.misses[0]),
                    escape(&c.misses.join("\n"))
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text as XML attribute or element content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_and_failures_are_reported_escaped() {
        let files = vec![FileResult {
            file: "a.test.yaml".into(),
            cases: vec![
                CaseResult {
                    name: "ok".into(),
                    misses: vec![],
                    seconds: 0.001,
                },
                CaseResult {
                    name: "bad <one>".into(),
                    misses: vec!["output.a: expected \"x\", got 1".into()],
                    seconds: 0.002,
                },
            ],
            error: None,
        }];
        let x = xml(&files);
        assert!(x.contains("tests=\"2\" failures=\"1\""), "{x}");
        assert!(
            x.contains("<testcase name=\"ok\" classname=\"a.test.yaml\" time=\"0.001\"/>"),
            "{x}"
        );
        assert!(x.contains("name=\"bad &lt;one&gt;\""), "{x}");
        assert!(x.contains("expected &quot;x&quot;, got 1</failure>"), "{x}");
    }
}
