//! Reading a request's members the way AWS's front end does.
//!
//! Two kinds of failure, answered differently, as AWS does:
//! - a member of the wrong JSON type cannot be deserialized at all: `SerializationException`
//!   at once, with Jackson's wording (`STRING_VALUE can not be converted to an Integer`);
//! - a well-typed member that breaks a model constraint (missing, too long, out of range, not
//!   in an enum, not matching a pattern) is collected, and all of them are reported together in
//!   one `ValidationException` when the handler calls [`Input::finish`].
//!
//! A JSON `null` counts as absent, as in AWS's deserializer. Lengths are counted in UTF-16 code
//! units, as Java counts them.

use serde_json::{Map, Value};

use crate::error::{constraint, ApiError, ConstraintValue};

/// The members of one request, with the violations found so far.
#[derive(Debug)]
pub struct Input {
    members: Map<String, Value>,
    violations: Vec<String>,
}

/// Length rule of a string member.
#[derive(Debug, Clone, Copy)]
pub struct Len {
    /// Smallest length allowed.
    pub min: usize,
    /// Largest length allowed.
    pub max: usize,
    /// A sensitive member is not echoed in messages.
    pub sensitive: bool,
}

impl Len {
    /// `min..=max`, echoed in messages.
    pub const fn new(min: usize, max: usize) -> Len {
        Len {
            min,
            max,
            sensitive: false,
        }
    }

    /// `min..=max`, not echoed in messages.
    pub const fn sensitive(min: usize, max: usize) -> Len {
        Len {
            min,
            max,
            sensitive: true,
        }
    }
}

/// Length rules from AWS's model (shapes of the same names).
pub mod shapes {
    use super::Len;

    /// `Arn`: 1-256.
    pub const ARN: Len = Len::new(1, 256);
    /// `LongArn` (version ARNs in DeleteStateMachineVersion): 1-2000.
    pub const LONG_ARN: Len = Len::new(1, 2000);
    /// `Name`: 1-80 (the characters are the service's check: `InvalidName`).
    pub const NAME: Len = Len::new(1, 80);
    /// `Definition`: 1-1,048,576, sensitive.
    pub const DEFINITION: Len = Len::sensitive(1, 1_048_576);
    /// `VersionDescription` and `AliasDescription`: 0-256, sensitive.
    pub const DESCRIPTION: Len = Len::sensitive(0, 256);
    /// `PageToken`: 1-1024.
    pub const PAGE_TOKEN: Len = Len::new(1, 1024);
    /// `RevisionId`: unbounded in the model.
    pub const REVISION_ID: Len = Len::new(0, usize::MAX);
    /// `TagKey`: 1-128.
    pub const TAG_KEY: Len = Len::new(1, 128);
    /// `TagValue`: 0-256.
    pub const TAG_VALUE: Len = Len::new(0, 256);
}

/// The JSON type name Jackson uses in its conversion errors.
fn token_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "STRING_VALUE",
        Value::Number(n) if n.is_f64() => "NUMBER_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Null => "NULL_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// The SerializationException for a member whose JSON type is not the model's.
pub fn wrong_type(v: &Value, expected: &str) -> ApiError {
    match v {
        Value::Object(_) => {
            ApiError::serialization("Start of structure or map found where not expected.")
        }
        Value::Array(_) => ApiError::serialization("Start of list found where not expected"),
        other => ApiError::serialization(format!(
            "{} can not be converted to {expected}",
            token_name(other)
        )),
    }
}

/// Length as Java counts it: UTF-16 code units.
///
/// Counted from the UTF-8 bytes in one pass the compiler vectorises (an execution's input
/// can be megabytes, and `encode_utf16` decodes it character by character): every byte that
/// starts a character is one unit, and a four-byte character (outside the BMP) is a
/// surrogate pair, one unit more.
pub fn java_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.as_bytes()
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Checks a string against a length rule; the violation message when it fails.
pub fn check_len(field: &str, s: &str, len: Len) -> Option<String> {
    let n = java_len(s);
    let shown = if len.sensitive {
        ConstraintValue::Hidden
    } else {
        ConstraintValue::Shown(s)
    };
    if n < len.min {
        Some(constraint(
            shown,
            field,
            &format!(
                "Member must have length greater than or equal to {}",
                len.min
            ),
        ))
    } else if n > len.max {
        Some(constraint(
            shown,
            field,
            &format!("Member must have length less than or equal to {}", len.max),
        ))
    } else {
        None
    }
}

impl Input {
    /// The members of a request body. The body must be a JSON object (or `null`, read as `{}`).
    pub fn new(body: Value) -> Result<Input, ApiError> {
        match body {
            Value::Object(members) => Ok(Input {
                members,
                violations: Vec::new(),
            }),
            Value::Null => Ok(Input {
                members: Map::new(),
                violations: Vec::new(),
            }),
            other => Err(wrong_type(&other, "a structure")),
        }
    }

    /// The raw value of a member, `None` when absent or `null`.
    pub fn raw(&self, field: &str) -> Option<&Value> {
        self.members.get(field).filter(|v| !v.is_null())
    }

    /// True when the member is present (and not `null`).
    pub fn has(&self, field: &str) -> bool {
        self.raw(field).is_some()
    }

    /// Records a violation (for rules the handler checks itself).
    pub fn violation(&mut self, message: String) {
        self.violations.push(message);
    }

    /// Records that a required member is missing.
    pub fn missing(&mut self, field: &str) {
        self.violations.push(constraint(
            ConstraintValue::Null,
            field,
            "Member must not be null",
        ));
    }

    /// An optional string member, checked against `len`.
    pub fn opt_str(&mut self, field: &str, len: Len) -> Result<Option<String>, ApiError> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let s = s.clone();
                Ok(Some(self.checked(field, s, len)))
            }
            Some(other) => Err(wrong_type(other, "String")),
        }
    }

    /// [`opt_str`](Input::opt_str) that moves the string out instead of copying it (the
    /// member reads as absent afterwards): for members that can be megabytes, like an
    /// execution's input.
    pub fn take_str(&mut self, field: &str, len: Len) -> Result<Option<String>, ApiError> {
        match self.members.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(self.checked(field, s, len))),
            Some(other) => Err(wrong_type(&other, "String")),
        }
    }

    /// `s`, with a violation recorded if its length breaks `len`.
    fn checked(&mut self, field: &str, s: String, len: Len) -> String {
        if let Some(v) = check_len(field, &s, len) {
            self.violations.push(v);
        }
        s
    }

    /// A required string member: when missing, a violation is recorded and `""` returned (the
    /// handler never sees it: [`Input::finish`] fails first).
    pub fn req_str(&mut self, field: &str, len: Len) -> Result<String, ApiError> {
        match self.opt_str(field, len)? {
            Some(s) => Ok(s),
            None => {
                self.missing(field);
                Ok(String::new())
            }
        }
    }

    /// An optional boolean member.
    pub fn opt_bool(&mut self, field: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(other, "Boolean")),
        }
    }

    /// An optional integer member within `min..=max`.
    pub fn opt_int(&mut self, field: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.raw(field) else {
            return Ok(None);
        };
        let n = match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => i,
                // A fraction or a number beyond i64: Jackson truncates fractions; treat an
                // unrepresentable number as a type error rather than guess.
                None => match n.as_f64() {
                    Some(f) if f.is_finite() && f.abs() < 9.0e15 => f.trunc() as i64,
                    _ => return Err(ApiError::serialization("Numeric value out of range")),
                },
            },
            other => return Err(wrong_type(other, "an Integer")),
        };
        if n < min {
            self.violations.push(constraint(
                ConstraintValue::Shown(&n.to_string()),
                field,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        } else if n > max {
            self.violations.push(constraint(
                ConstraintValue::Shown(&n.to_string()),
                field,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
        Ok(Some(n))
    }

    /// An optional enum member, one of `allowed`.
    pub fn opt_enum(&mut self, field: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        let Some(s) = self.opt_str(field, Len::new(0, usize::MAX))? else {
            return Ok(None);
        };
        if !allowed.contains(&s.as_str()) {
            self.violations.push(constraint(
                ConstraintValue::Shown(&s),
                field,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Some(s))
    }

    /// An optional list member, each element as raw JSON (the handler reads the elements).
    pub fn opt_list(&mut self, field: &str) -> Result<Option<Vec<Value>>, ApiError> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(other) => Err(wrong_type(other, "a list")),
        }
    }

    /// An optional structure member, as raw JSON.
    pub fn opt_object(&mut self, field: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(other) => Err(wrong_type(other, "a structure")),
        }
    }

    /// Ends reading: every violation recorded becomes one `ValidationException`.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(&self.violations))
        }
    }
}

/// Reads a string member of a nested structure (`routingConfiguration.1.member.x`, ...).
pub fn nested_str<'a>(
    obj: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(other, "String")),
    }
}

/// Reads an integer member of a nested structure.
pub fn nested_int(obj: &Map<String, Value>, field: &str) -> Result<Option<i64>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => Err(ApiError::serialization("Numeric value out of range")),
        },
        Some(other) => Err(wrong_type(other, "an Integer")),
    }
}

/// Reads a boolean member of a nested structure.
pub fn nested_bool(obj: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(other, "Boolean")),
    }
}

/// An element of a list member that must be a structure.
pub fn as_object(v: &Value) -> Result<&Map<String, Value>, ApiError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(wrong_type(other, "a structure")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_str_moves_the_member_out_and_checks_it_like_opt_str() {
        let mut input = Input::new(serde_json::json!({
            "input": "{\"a\":1}",
            "nothing": null,
            "number": 7,
            "long": "abcd"
        }))
        .unwrap();
        assert_eq!(
            input
                .take_str("input", Len::new(0, 100))
                .unwrap()
                .as_deref(),
            Some("{\"a\":1}")
        );
        assert!(!input.has("input"), "the member is moved out");
        assert_eq!(input.take_str("input", Len::new(0, 100)).unwrap(), None);
        assert_eq!(input.take_str("nothing", Len::new(0, 100)).unwrap(), None);
        let wrong = input.take_str("number", Len::new(0, 100)).unwrap_err();
        assert_eq!(wrong.code(), "SerializationException");
        assert_eq!(
            input.take_str("long", Len::new(0, 2)).unwrap().as_deref(),
            Some("abcd")
        );
        assert!(input.finish().is_err(), "a too-long member is a violation");
    }

    #[test]
    fn java_len_counts_utf16_units() {
        for text in [
            "",
            "plain ascii",
            "é",
            "naïve café",
            "✓ check",
            "𝄞 clef",
            "mixed é ✓ 𝄞 😀 end",
            "\u{10FFFF}\u{FFFF}\u{80}\u{7F}",
        ] {
            assert_eq!(java_len(text), text.encode_utf16().count(), "{text:?}");
        }
    }
    use serde_json::json;

    #[test]
    fn wrong_types_are_serialization_errors() {
        let mut i = Input::new(json!({"name": 5, "maxResults": "x", "tags": {}})).unwrap();
        let e = i.opt_str("name", shapes::NAME).unwrap_err();
        assert_eq!(e.code(), "SerializationException");
        assert_eq!(e.message(), "NUMBER_VALUE can not be converted to String");
        let e = i.opt_int("maxResults", 0, 1000).unwrap_err();
        assert_eq!(
            e.message(),
            "STRING_VALUE can not be converted to an Integer"
        );
        let e = i.opt_list("tags").unwrap_err();
        assert_eq!(e.code(), "SerializationException");
    }

    #[test]
    fn violations_are_collected() {
        let mut i = Input::new(json!({"maxResults": 1001, "nextToken": ""})).unwrap();
        i.opt_int("maxResults", 0, 1000).unwrap();
        i.opt_str("nextToken", shapes::PAGE_TOKEN).unwrap();
        i.req_str("stateMachineArn", shapes::ARN).unwrap();
        let e = i.finish().unwrap_err();
        assert_eq!(e.code(), "ValidationException");
        assert!(e.message().starts_with("3 validation errors detected: "));
        assert!(e.message().contains(
            "Value '1001' at 'maxResults' failed to satisfy constraint: \
             Member must have value less than or equal to 1000"
        ));
        assert!(e.message().contains("Value null at 'stateMachineArn'"));
    }

    #[test]
    fn null_is_absent_and_body_must_be_an_object() {
        let mut i = Input::new(json!({"name": null})).unwrap();
        assert_eq!(i.opt_str("name", shapes::NAME).unwrap(), None);
        assert!(Input::new(json!([1])).is_err());
        assert!(Input::new(Value::Null).is_ok());
    }

    #[test]
    fn sensitive_members_are_not_echoed() {
        let v = check_len("definition", "", shapes::DEFINITION).unwrap();
        assert_eq!(
            v,
            "Value at 'definition' failed to satisfy constraint: \
             Member must have length greater than or equal to 1"
        );
    }
}
