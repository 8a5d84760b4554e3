//! Comparison of an execution with a case recorded against AWS, by the corpus's rules
//! (`../shared/conformance/README.md`): placeholders match anything, numbers compare by value,
//! JSON text compares as parsed JSON, volatile keys (timestamps, ARNs) are dropped from events,
//! and order-independent Parallel regions match as multisets.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::Value;

/// Placeholders and patterns of one case.
pub struct Matcher {
    angle: Regex,
    bare_in_string: Regex,
    extra: Vec<String>,
}

const BARE_WILDCARDS: &[&str] = &[
    "timestamp",
    "datetime",
    "date",
    "snf_role_arn",
    "sfn_role_arn",
    "uuid",
];
const ISO8601: &str =
    r"(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?(?:\d{2})?))";

impl Matcher {
    pub fn new(extra: Vec<String>) -> Matcher {
        Matcher {
            angle: Regex::new(r"<[A-Za-z0-9_\-:.]+>").expect("static regex"),
            bare_in_string: Regex::new(
                r"(^|[^A-Za-z0-9_])(date|snf_role_arn|sfn_role_arn|111111111111)($|[^A-Za-z0-9_])",
            )
            .expect("static regex"),
            extra,
        }
    }

    fn has_placeholder(&self, s: &str) -> bool {
        self.angle.is_match(s)
            || self.bare_in_string.is_match(s)
            || self
                .extra
                .iter()
                .any(|t| !t.is_empty() && s.contains(t.as_str()))
    }

    /// A regex matching what a string with placeholders stands for.
    fn pattern(&self, s: &str) -> Option<Regex> {
        let mut tokens: Vec<(usize, usize, String)> = Vec::new();
        for m in self.angle.find_iter(s) {
            tokens.push((m.start(), m.end(), m.as_str().to_string()));
        }
        for c in self.bare_in_string.captures_iter(s) {
            if let Some(m) = c.get(2) {
                tokens.push((m.start(), m.end(), m.as_str().to_string()));
            }
        }
        for t in &self.extra {
            if t.is_empty() {
                continue;
            }
            for (i, _) in s.match_indices(t.as_str()) {
                tokens.push((i, i + t.len(), "<extra>".to_string()));
            }
        }
        tokens.sort();
        let mut out = String::from("(?s)^");
        let mut pos = 0;
        for (a, b, tok) in tokens {
            if a < pos {
                continue;
            }
            out.push_str(&regex::escape(&s[pos..a]));
            out.push_str(match tok.as_str() {
                "date" => "(?:date|",
                "111111111111" => r"\d{12}",
                "snf_role_arn" | "sfn_role_arn" => r#"(?:\w+_role_arn|arn:[^\s"']+)"#,
                _ => "(?:.*?)",
            });
            if tok == "date" {
                out.push_str(ISO8601);
                out.push(')');
            }
            pos = b;
        }
        out.push_str(&regex::escape(&s[pos..]));
        out.push('$');
        Regex::new(&out).ok()
    }

    /// `None` when `act` matches the recorded `exp`, else a description of the first difference.
    pub fn values_match(&self, exp: &Value, act: &Value, path: &str) -> Option<String> {
        match (exp, act) {
            (Value::String(e), _)
                if BARE_WILDCARDS.contains(&e.as_str()) || self.extra.contains(e) =>
            {
                None
            }
            (Value::String(e), _)
                if self
                    .angle
                    .find(e)
                    .is_some_and(|m| m.start() == 0 && m.end() == e.len()) =>
            {
                None
            }
            (Value::String(e), Value::String(a)) => {
                if e == a
                    || (self.has_placeholder(e) && self.pattern(e).is_some_and(|r| r.is_match(a)))
                {
                    return None;
                }
                let pe = serde_json::from_str::<Value>(e).ok();
                let pa = serde_json::from_str::<Value>(a).ok();
                if let (Some(pe), Some(pa)) = (pe, pa) {
                    if pe.is_object() || pe.is_array() || pa.is_object() || pa.is_array() {
                        return self.values_match(&pe, &pa, path);
                    }
                }
                Some(format!("{path}: expected {e:?}, got {a:?}"))
            }
            (Value::String(e), a) => {
                Some(format!("{path}: expected string {e:?}, got {}", short(a)))
            }
            (Value::Object(_) | Value::Array(_), Value::String(a)) => {
                match serde_json::from_str::<Value>(a) {
                    Ok(pa) => self.values_match(exp, &pa, path),
                    Err(_) => Some(format!("{path}: expected JSON {}, got {a:?}", short(exp))),
                }
            }
            (Value::Object(e), Value::Object(a)) => {
                let ek: BTreeSet<&String> = e.keys().collect();
                let ak: BTreeSet<&String> = a.keys().collect();
                if ek != ak {
                    let missing: Vec<_> = ek.difference(&ak).collect();
                    let extra: Vec<_> = ak.difference(&ek).collect();
                    return Some(format!(
                        "{path}: keys differ (missing {missing:?}, unexpected {extra:?})"
                    ));
                }
                e.iter()
                    .find_map(|(k, v)| self.values_match(v, &a[k], &format!("{path}.{k}")))
            }
            (Value::Object(_), a) => Some(format!("{path}: expected object, got {}", short(a))),
            (Value::Array(e), Value::Array(a)) => {
                if e.len() != a.len() {
                    return Some(format!(
                        "{path}: expected {} items, got {}",
                        e.len(),
                        a.len()
                    ));
                }
                e.iter()
                    .zip(a)
                    .enumerate()
                    .find_map(|(i, (x, y))| self.values_match(x, y, &format!("{path}[{i}]")))
            }
            (Value::Array(_), a) => Some(format!("{path}: expected array, got {}", short(a))),
            (Value::Bool(e), Value::Bool(a)) if e == a => None,
            (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => None,
            (Value::Null, Value::Null) => None,
            _ => Some(format!(
                "{path}: expected {}, got {}",
                short(exp),
                short(act)
            )),
        }
    }

    /// Compares two histories.
    pub fn compare_history(&self, exp: &[Value], act: &[Value]) -> Option<String> {
        let exp: Vec<Value> = exp.iter().map(drop_volatile).collect();
        let mut act: Vec<Value> = act.iter().map(drop_volatile).collect();
        if exp.len() != act.len() {
            let types = |v: &[Value]| {
                v.iter()
                    .map(|e| e["type"].as_str().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
            };
            let (te, ta) = (types(&exp), types(&act));
            let first = te
                .iter()
                .zip(&ta)
                .position(|(a, b)| a != b)
                .unwrap_or(te.len().min(ta.len()));
            return Some(format!(
                "expected {} events, got {}; first type difference at {first}: expected {:?}, got {:?}",
                exp.len(),
                act.len(),
                te.get(first),
                ta.get(first)
            ));
        }
        let mut unordered = BTreeSet::new();
        let regions = parallel_regions(&exp);
        if exp.iter().any(|e| e["id"].is_array()) {
            for &(a, b) in &regions {
                for i in a..b {
                    unordered.insert(i);
                    if let Value::Object(m) = &mut act[i] {
                        m.insert("id".into(), exp[i]["id"].clone());
                        m.insert("previousEventId".into(), exp[i]["previousEventId"].clone());
                    }
                }
            }
        }
        for (i, (e, a)) in exp.iter().zip(&act).enumerate() {
            if unordered.contains(&i) {
                continue;
            }
            if let Some(d) = self.values_match(e, a, &format!("events[{i}]")) {
                return Some(d);
            }
        }
        if !unordered.is_empty() {
            for (a0, b0) in regions {
                let mut pool: Vec<usize> = (a0..b0).collect();
                for (i, expected) in exp.iter().enumerate().take(b0).skip(a0) {
                    let hit = pool
                        .iter()
                        .position(|&j| self.values_match(expected, &act[j], "").is_none());
                    match hit {
                        Some(p) => {
                            pool.remove(p);
                        }
                        None => {
                            return Some(format!(
                                "events[{i}]: no matching event in parallel region {a0}..{b0}"
                            ))
                        }
                    }
                }
            }
        }
        None
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!(
            "{}...",
            &s[..s.char_indices().nth(200).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

fn drop_volatile(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !(k.as_str() == "timestamp"
                        || k.as_str() == "roleArn"
                        || k.ends_with("Arn")
                        || k.ends_with("arn"))
                })
                .map(|(k, v)| (k.clone(), drop_volatile(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(drop_volatile).collect()),
        other => other.clone(),
    }
}

fn parallel_regions(events: &[Value]) -> Vec<(usize, usize)> {
    let ends = [
        "ParallelStateSucceeded",
        "ParallelStateAborted",
        "ParallelStateExited",
        "ParallelStateFailed",
    ];
    let mut regions = Vec::new();
    let mut start = None;
    for (i, e) in events.iter().enumerate() {
        let t = e["type"].as_str().unwrap_or("");
        if t == "ParallelStateStarted" {
            start = Some(i + 1);
        } else if ends.contains(&t) {
            if let Some(s) = start.take() {
                regions.push((s, i));
            }
        }
    }
    regions
}
