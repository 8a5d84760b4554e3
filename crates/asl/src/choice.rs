//! Choice rules: the comparison operators, their `...Path` forms, `And`/`Or`/`Not`, and
//! JSONata `Condition`s.

use std::cmp::Ordering;

use serde_json::Value;
use switchback_json::Json;
use switchback_jsonpath::Path;

use crate::env::{Env, Failure};
use crate::template::{self, Template};

/// A compiled Choice rule.
#[derive(Debug, Clone)]
pub enum ChoiceRule {
    And(Vec<ChoiceRule>),
    Or(Vec<ChoiceRule>),
    Not(Box<ChoiceRule>),
    /// `Variable` compared with an operand by one operator.
    Compare {
        variable: Path,
        op: Operator,
        operand: Operand,
    },
    /// A JSONata `Condition` (must yield a boolean).
    Condition(Template),
}

/// What a comparison compares against.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A literal (`"StringEquals": "x"`).
    Literal(Json),
    /// A path (`"StringEqualsPath": "$.y"`).
    Path(Path),
}

/// A comparison operator, without its `Path` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

impl Operator {
    /// The operator named `name` (without `Path`).
    pub fn from_name(name: &str) -> Option<Operator> {
        use Operator::*;
        Some(match name {
            "StringEquals" => StringEquals,
            "StringLessThan" => StringLessThan,
            "StringGreaterThan" => StringGreaterThan,
            "StringLessThanEquals" => StringLessThanEquals,
            "StringGreaterThanEquals" => StringGreaterThanEquals,
            "StringMatches" => StringMatches,
            "NumericEquals" => NumericEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "BooleanEquals" => BooleanEquals,
            "TimestampEquals" => TimestampEquals,
            "TimestampLessThan" => TimestampLessThan,
            "TimestampGreaterThan" => TimestampGreaterThan,
            "TimestampLessThanEquals" => TimestampLessThanEquals,
            "TimestampGreaterThanEquals" => TimestampGreaterThanEquals,
            "IsNull" => IsNull,
            "IsPresent" => IsPresent,
            "IsNumeric" => IsNumeric,
            "IsString" => IsString,
            "IsBoolean" => IsBoolean,
            "IsTimestamp" => IsTimestamp,
            _ => return None,
        })
    }
}

/// Keys of a rule object that are not its operator.
const NON_OPERATOR_KEYS: &[&str] = &["Variable", "Next", "Assign", "Output", "Comment"];

impl ChoiceRule {
    /// Compiles a JSONPath-mode rule object (top-level or nested).
    pub fn jsonpath(rule: &Value) -> Result<ChoiceRule, String> {
        match rule {
            Value::Object(map) => ChoiceRule::from_object(map),
            _ => Err("a Choice rule must be an object".into()),
        }
    }

    /// Compiles a JSONPath-mode rule given as an object.
    pub fn from_object(map: &serde_json::Map<String, Value>) -> Result<ChoiceRule, String> {
        if let Some(v) = map.get("And") {
            return Ok(ChoiceRule::And(compile_list(v, "And")?));
        }
        if let Some(v) = map.get("Or") {
            return Ok(ChoiceRule::Or(compile_list(v, "Or")?));
        }
        if let Some(v) = map.get("Not") {
            return Ok(ChoiceRule::Not(Box::new(ChoiceRule::jsonpath(v)?)));
        }
        let variable = match map.get("Variable") {
            Some(Value::String(s)) => Path::parse(s).map_err(|e| e.message)?,
            _ => return Err("a Choice rule needs a 'Variable' path".into()),
        };
        let (key, value) = map
            .iter()
            .find(|(k, _)| !NON_OPERATOR_KEYS.contains(&k.as_str()))
            .ok_or_else(|| "a Choice rule needs a comparison operator".to_string())?;
        let (op_name, by_path) = match key.strip_suffix("Path") {
            Some(base) if Operator::from_name(base).is_some() => (base, true),
            _ => (key.as_str(), false),
        };
        let op = Operator::from_name(op_name)
            .ok_or_else(|| format!("unknown Choice operator '{key}'"))?;
        let operand = if by_path {
            let Value::String(s) = value else {
                return Err(format!("'{key}' must be a path"));
            };
            Operand::Path(Path::parse(s).map_err(|e| e.message)?)
        } else {
            Operand::Literal(Json::from(value))
        };
        Ok(ChoiceRule::Compare {
            variable,
            op,
            operand,
        })
    }

    /// Evaluates the rule.
    pub fn eval(&self, env: &mut dyn Env) -> Result<bool, Failure> {
        match self {
            ChoiceRule::And(rules) => {
                for r in rules {
                    if !r.eval(env)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            ChoiceRule::Or(rules) => {
                for r in rules {
                    if r.eval(env)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            ChoiceRule::Not(rule) => Ok(!rule.eval(env)?),
            ChoiceRule::Compare {
                variable,
                op,
                operand,
            } => compare(variable, *op, operand, env),
            ChoiceRule::Condition(t) => condition(t, env),
        }
    }
}

fn compile_list(v: &Value, key: &str) -> Result<Vec<ChoiceRule>, String> {
    let Value::Array(items) = v else {
        return Err(format!("'{key}' must be an array of rules"));
    };
    items.iter().map(ChoiceRule::jsonpath).collect()
}

fn condition(t: &Template, env: &mut dyn Env) -> Result<bool, Failure> {
    match t.eval(env)? {
        Json::Bool(b) => Ok(b),
        other => {
            let src = match t {
                Template::Jsonata { expr, .. } => expr.source().to_string(),
                _ => template::compact(&other),
            };
            Err(Failure::query(format!(
                "The JSONata expression '{src}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '{}' for value: {}",
                json_type_name(&other),
                template::compact(&other)
            )))
        }
    }
}

/// JSONata/AWS names of JSON types, as used in causes.
pub fn json_type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn compare(
    variable: &Path,
    op: Operator,
    operand: &Operand,
    env: &mut dyn Env,
) -> Result<bool, Failure> {
    let value = template::select(variable, env);
    let expected: Json = match operand {
        Operand::Literal(v) => v.clone(),
        Operand::Path(p) => template::select(p, env).ok_or_else(|| {
            Failure::runtime(format!(
                "Invalid path '{}': The choice state's condition path references an invalid value.",
                p.as_str()
            ))
        })?,
    };
    if op == Operator::IsPresent {
        return Ok(value.is_some() == (expected == Json::Bool(true)));
    }
    let Some(value) = value else {
        return Err(Failure::runtime(format!(
            "Invalid path '{}': The choice state's condition path references an invalid value.",
            variable.as_str()
        )));
    };
    Ok(test(&value, op, &expected))
}

/// Applies an operator to a value and an operand. A type mismatch is `false`, as in AWS.
pub fn test(value: &Json, op: Operator, expected: &Json) -> bool {
    use Operator::*;
    let flag = expected.as_bool();
    match op {
        StringEquals => str_cmp(value, expected).is_some_and(Ordering::is_eq),
        StringLessThan => str_cmp(value, expected).is_some_and(Ordering::is_lt),
        StringGreaterThan => str_cmp(value, expected).is_some_and(Ordering::is_gt),
        StringLessThanEquals => str_cmp(value, expected).is_some_and(Ordering::is_le),
        StringGreaterThanEquals => str_cmp(value, expected).is_some_and(Ordering::is_ge),
        StringMatches => match (value, expected) {
            (Json::String(s), Json::String(p)) => wildcard_match(s, p),
            _ => false,
        },
        NumericEquals => num_cmp(value, expected).is_some_and(Ordering::is_eq),
        NumericLessThan => num_cmp(value, expected).is_some_and(Ordering::is_lt),
        NumericGreaterThan => num_cmp(value, expected).is_some_and(Ordering::is_gt),
        NumericLessThanEquals => num_cmp(value, expected).is_some_and(Ordering::is_le),
        NumericGreaterThanEquals => num_cmp(value, expected).is_some_and(Ordering::is_ge),
        BooleanEquals => matches!((value, expected), (Json::Bool(a), Json::Bool(b)) if a == b),
        TimestampEquals => ts_cmp(value, expected).is_some_and(Ordering::is_eq),
        TimestampLessThan => ts_cmp(value, expected).is_some_and(Ordering::is_lt),
        TimestampGreaterThan => ts_cmp(value, expected).is_some_and(Ordering::is_gt),
        TimestampLessThanEquals => ts_cmp(value, expected).is_some_and(Ordering::is_le),
        TimestampGreaterThanEquals => ts_cmp(value, expected).is_some_and(Ordering::is_ge),
        IsNull => flag.is_some_and(|f| value.is_null() == f),
        IsPresent => flag == Some(true),
        IsNumeric => flag.is_some_and(|f| value.is_number() == f),
        IsString => flag.is_some_and(|f| value.is_string() == f),
        IsBoolean => flag.is_some_and(|f| value.is_boolean() == f),
        IsTimestamp => {
            flag.is_some_and(|f| value.as_str().and_then(crate::timestamp::parse).is_some() == f)
        }
    }
}

/// Strings compare by UTF-16 code units, as Java's `String.compareTo` does.
fn str_cmp(a: &Json, b: &Json) -> Option<Ordering> {
    match (a, b) {
        (Json::String(a), Json::String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    }
}

fn num_cmp(a: &Json, b: &Json) -> Option<Ordering> {
    match (a, b) {
        (Json::Number(a), Json::Number(b)) => {
            if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
                return Some(x.cmp(&y));
            }
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        _ => None,
    }
}

fn ts_cmp(a: &Json, b: &Json) -> Option<Ordering> {
    let a = crate::timestamp::parse(a.as_str()?)?;
    let b = crate::timestamp::parse(b.as_str()?)?;
    Some(a.cmp(&b))
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
pub fn wildcard_match(s: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Char(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => toks.push(Tok::Char(n)),
                None => toks.push(Tok::Char('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Char(c)),
        }
    }
    let text: Vec<char> = s.chars().collect();
    // Classic greedy wildcard matching with backtracking to the last star.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match toks.get(p) {
            Some(Tok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchback_json::json;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("log-2024.txt", "log-*.txt"));
        assert!(wildcard_match("anything", "*"));
        assert!(!wildcard_match("log.csv", "log-*.txt"));
        assert!(wildcard_match("a*b", "a\\*b"));
        assert!(!wildcard_match("axb", "a\\*b"));
        assert!(wildcard_match("", "*"));
    }

    #[test]
    fn type_mismatch_is_false() {
        assert!(!test(&json!("1"), Operator::NumericEquals, &json!(1)));
        assert!(test(&json!(1.0), Operator::NumericEquals, &json!(1)));
        assert!(test(&json!("b"), Operator::StringGreaterThan, &json!("a")));
    }

    #[test]
    fn timestamps_compare_by_instant() {
        assert!(test(
            &json!("2016-03-14T01:59:00Z"),
            Operator::TimestampEquals,
            &json!("2016-03-14T02:59:00+01:00")
        ));
    }
}
