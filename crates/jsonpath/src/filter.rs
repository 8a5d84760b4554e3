//! Filter expressions, `[?(...)]`: their grammar and how Jayway evaluates them.
//!
//! Grammar (Jayway's `FilterCompiler`):
//! `or := and ('||' and)*`, `and := unary ('&&' unary)*`,
//! `unary := '!' unary | '(' or ')' | operand [op operand]`.
//! An operand alone must be a path and tests that the path *exists* (not that it is truthy):
//! `[?(@.flag)]` keeps `{"flag": false}`.
//!
//! Comparisons follow Jayway's evaluators: `==` compares numbers by value, and a number on the
//! left equals a string on the right that parses to the same number; `<`, `<=`, `>`, `>=`
//! compare two numbers or two strings (UTF-16 order, as Java does), anything else is false;
//! a missing path is equal to nothing, so `!=` is true for it.

use std::borrow::Cow;
use std::cmp::Ordering;

use switchback_json::{Json, Number};

use crate::parse::{Cursor, Mode};
use crate::{select, ParseError, Segment};

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    /// `a || b`.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `a && b`.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `!a`.
    Not(Box<FilterExpr>),
    /// `@.x` alone: the path selects something.
    Exists(Operand),
    /// `left op right`.
    Compare(Operand, CmpOp, Operand),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `left in [..]`.
    In,
    /// `left nin [..]`.
    Nin,
    /// `left subsetof [..]`.
    SubsetOf,
    /// `left anyof [..]`.
    AnyOf,
    /// `left noneof [..]`.
    NoneOf,
    /// `left size n`: array or string length.
    Size,
    /// `left empty true|false`.
    Empty,
    /// `left contains x`: string containment or array membership.
    Contains,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `@...` (the current item) when `absolute` is false, `$...` (the document) when true.
    Path {
        absolute: bool,
        segments: Vec<Segment>,
    },
    /// A literal: string, number, boolean, null, or a JSON array/object.
    Literal(Json),
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// `and ('||' and)*`.
pub(crate) fn parse_or(cur: &mut Cursor<'_>) -> Result<FilterExpr, ParseError> {
    let mut left = parse_and(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("||") {
            return Ok(left);
        }
        let right = parse_and(cur)?;
        left = FilterExpr::Or(Box::new(left), Box::new(right));
    }
}

/// `unary ('&&' unary)*`.
fn parse_and(cur: &mut Cursor<'_>) -> Result<FilterExpr, ParseError> {
    let mut left = parse_unary(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("&&") {
            return Ok(left);
        }
        let right = parse_unary(cur)?;
        left = FilterExpr::And(Box::new(left), Box::new(right));
    }
}

/// `'!' unary | '(' or ')' | comparison`.
fn parse_unary(cur: &mut Cursor<'_>) -> Result<FilterExpr, ParseError> {
    cur.skip_ws();
    cur.enter()?;
    let expr = if cur.eat('!') {
        parse_unary(cur).map(|e| FilterExpr::Not(Box::new(e)))
    } else if cur.eat('(') {
        let inner = parse_or(cur)?;
        cur.skip_ws();
        cur.expect(')').map(|()| inner)
    } else {
        parse_comparison(cur)
    };
    cur.leave();
    expr
}

/// `operand [op operand]`; a lone operand must be a path (existence test).
fn parse_comparison(cur: &mut Cursor<'_>) -> Result<FilterExpr, ParseError> {
    let left = parse_operand(cur)?;
    cur.skip_ws();
    match parse_op(cur) {
        Some(op) => {
            cur.skip_ws();
            let right = parse_operand(cur)?;
            Ok(FilterExpr::Compare(left, op, right))
        }
        None if matches!(left, Operand::Path { .. }) => Ok(FilterExpr::Exists(left)),
        None => Err(cur.error("expected a comparison operator")),
    }
}

/// A relational operator, symbolic or a word.
fn parse_op(cur: &mut Cursor<'_>) -> Option<CmpOp> {
    const SYMBOLS: [(&str, CmpOp); 6] = [
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("<=", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("<", CmpOp::Lt),
        (">", CmpOp::Gt),
    ];
    if let Some((sym, op)) = SYMBOLS.iter().find(|(s, _)| cur.rest().starts_with(s)) {
        cur.pos += sym.len();
        return Some(*op);
    }
    let word_len = cur
        .rest()
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(cur.rest().len());
    let op = match &cur.rest()[..word_len] {
        "in" => CmpOp::In,
        "nin" => CmpOp::Nin,
        "subsetof" => CmpOp::SubsetOf,
        "anyof" => CmpOp::AnyOf,
        "noneof" => CmpOp::NoneOf,
        "size" => CmpOp::Size,
        "empty" => CmpOp::Empty,
        "contains" => CmpOp::Contains,
        _ => return None,
    };
    cur.pos += word_len;
    Some(op)
}

/// A path (`@...`, `$...`) or a literal.
fn parse_operand(cur: &mut Cursor<'_>) -> Result<Operand, ParseError> {
    cur.skip_ws();
    match cur.peek() {
        Some(c @ ('@' | '$')) => {
            cur.bump();
            let segments = cur.segments(Mode::InFilter)?;
            Ok(Operand::Path {
                absolute: c == '$',
                segments,
            })
        }
        _ => parse_literal(cur).map(Operand::Literal),
    }
}

/// A string (quoted, or an unquoted word), number, `true`, `false`, `null`, `[..]` list or
/// `{..}` JSON object.
fn parse_literal(cur: &mut Cursor<'_>) -> Result<Json, ParseError> {
    match cur.peek() {
        Some(q @ ('\'' | '"')) => parse_string(cur, q).map(Json::from),
        Some(c) if c.is_ascii_digit() || c == '-' => parse_number(cur),
        Some('[') => parse_list(cur),
        Some('{') => parse_object(cur),
        Some('/') => Err(cur.error("regular expressions (=~) are not supported")),
        _ => {
            let word = bare_word(cur.rest());
            if word.is_empty() || !word.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                return Err(cur.error("expected a path or a literal"));
            }
            cur.pos += word.len();
            Ok(match word {
                "true" => Json::Bool(true),
                "false" => Json::Bool(false),
                "null" => Json::Null,
                // An unquoted word is a string, as Step Functions reads `[?(@.lang==es)]`:
                // published AWS workflows filter so, and AWS runs them (its JSONPath takes
                // a comparison's unquoted right side as the text it is).
                text => Json::from(text.to_string()),
            })
        }
    }
}

/// The unquoted word at the start of `rest`: up to white space, a closing parenthesis or an
/// operator's first character.
fn bare_word(rest: &str) -> &str {
    let end = rest
        .find(|c: char| c.is_whitespace() || "()&|=!<>,]".contains(c))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// A quoted string with Java-style escapes (`\'`, `\"`, `\\`, `\n`, `\uXXXX`, ...).
fn parse_string(cur: &mut Cursor<'_>, quote: char) -> Result<String, ParseError> {
    cur.bump();
    let mut out = String::new();
    loop {
        match cur.bump() {
            None => return Err(cur.error(&format!("missing closing {quote}"))),
            Some(c) if c == quote => return Ok(out),
            Some('\\') => match cur.bump() {
                None => return Err(cur.error("unfinished escape")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => out.push(parse_unicode_escape(cur)?),
                Some(c) => out.push(c),
            },
            Some(c) => out.push(c),
        }
    }
}

/// The four hex digits after `\u`.
fn parse_unicode_escape(cur: &mut Cursor<'_>) -> Result<char, ParseError> {
    let hex = cur.rest().get(..4).filter(|h| h.is_ascii());
    let code = hex.and_then(|h| u32::from_str_radix(h, 16).ok());
    match code {
        Some(code) => {
            cur.pos += 4;
            Ok(char::from_u32(code).unwrap_or('\u{fffd}'))
        }
        None => Err(cur.error("invalid \\u escape")),
    }
}

/// A JSON number (`-1`, `2.5`, `1e3`).
fn parse_number(cur: &mut Cursor<'_>) -> Result<Json, ParseError> {
    let len = cur
        .rest()
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
        .unwrap_or(cur.rest().len());
    let text = &cur.rest()[..len];
    let number: Number = text
        .parse::<Number>()
        .ok()
        .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        .ok_or_else(|| cur.error(&format!("invalid number {text}")))?;
    cur.pos += len;
    Ok(Json::Number(number))
}

/// `[lit, lit, ...]`: Jayway reads these with a lenient JSON parser, so single-quoted
/// strings are accepted.
fn parse_list(cur: &mut Cursor<'_>) -> Result<Json, ParseError> {
    cur.bump();
    cur.enter()?;
    let mut items = Vec::new();
    cur.skip_ws();
    if !cur.eat(']') {
        loop {
            cur.skip_ws();
            items.push(parse_literal(cur)?);
            cur.skip_ws();
            if cur.eat(']') {
                break;
            }
            cur.expect(',')?;
        }
    }
    cur.leave();
    Ok(Json::from(items))
}

/// `{...}`: a JSON object, parsed by serde_json.
fn parse_object(cur: &mut Cursor<'_>) -> Result<Json, ParseError> {
    let mut stream = serde_json::Deserializer::from_str(cur.rest()).into_iter::<Json>();
    match stream.next() {
        Some(Ok(v)) => {
            cur.pos += stream.byte_offset();
            Ok(v)
        }
        _ => Err(cur.error("invalid JSON object")),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// True when `item` (the `@`) satisfies `expr`; `root` is the `$` of the document.
pub(crate) fn accepts(expr: &FilterExpr, item: &Json, root: &Json) -> bool {
    match expr {
        FilterExpr::Or(a, b) => accepts(a, item, root) || accepts(b, item, root),
        FilterExpr::And(a, b) => accepts(a, item, root) && accepts(b, item, root),
        FilterExpr::Not(a) => !accepts(a, item, root),
        FilterExpr::Exists(op) => resolve(op, item, root).is_some(),
        FilterExpr::Compare(l, op, r) => compare(
            resolve(l, item, root).as_deref(),
            *op,
            resolve(r, item, root).as_deref(),
        ),
    }
}

/// The value of an operand; `None` when its (definite) path selects nothing.
/// An indefinite path gives the array of its matches, as Jayway does.
fn resolve<'v>(op: &'v Operand, item: &'v Json, root: &'v Json) -> Option<Cow<'v, Json>> {
    match op {
        Operand::Literal(v) => Some(Cow::Borrowed(v)),
        Operand::Path { absolute, segments } => {
            let start = if *absolute { root } else { item };
            select::select_relative(segments, start, root)
        }
    }
}

/// Applies a relational operator; `None` is a missing path.
fn compare(l: Option<&Json>, op: CmpOp, r: Option<&Json>) -> bool {
    match op {
        CmpOp::Eq => equals(l, r),
        CmpOp::Ne => !equals(l, r),
        CmpOp::Nin => !in_list(l, r),
        _ => match (l, r) {
            (Some(l), Some(r)) => compare_present(l, op, r),
            _ => false,
        },
    }
}

/// The operators that need both sides.
fn compare_present(l: &Json, op: CmpOp, r: &Json) -> bool {
    match op {
        CmpOp::Lt => order(l, r) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(l, r) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::In => in_list(Some(l), Some(r)),
        CmpOp::SubsetOf => set_test(l, r, |hits, len| hits == len),
        CmpOp::AnyOf => set_test(l, r, |hits, _| hits > 0),
        CmpOp::NoneOf => set_test(l, r, |hits, _| hits == 0),
        CmpOp::Size => size_is(l, r),
        CmpOp::Empty => match (l, r) {
            (Json::Array(a), Json::Bool(b)) => a.is_empty() == *b,
            (Json::String(s), Json::Bool(b)) => s.is_empty() == *b,
            _ => false,
        },
        CmpOp::Contains => match (l, r) {
            (Json::String(s), Json::String(t)) => s.contains(t.as_str()),
            (Json::Array(a), r) => a.iter().any(|x| equals(Some(x), Some(r))),
            _ => false,
        },
        CmpOp::Eq | CmpOp::Ne | CmpOp::Nin => compare(Some(l), op, Some(r)),
    }
}

/// Jayway's `==`: numbers by value (a string on the right is read as a number), a string on
/// the left against a number's text, otherwise same type and same value.
fn equals(l: Option<&Json>, r: Option<&Json>) -> bool {
    let (Some(l), Some(r)) = (l, r) else {
        return false;
    };
    match (l, r) {
        (Json::Number(a), Json::Number(b)) => number_cmp(a, b) == Some(Ordering::Equal),
        (Json::Number(a), Json::String(s)) => s
            .trim()
            .parse::<Number>()
            .ok()
            .is_some_and(|b| number_cmp(a, &b) == Some(Ordering::Equal)),
        (Json::String(s), Json::Number(n)) => *s == n.to_string(),
        _ => json_equal(l, r),
    }
}

/// Structural equality, numbers by value.
fn json_equal(l: &Json, r: &Json) -> bool {
    match (l, r) {
        (Json::Number(a), Json::Number(b)) => number_cmp(a, b) == Some(Ordering::Equal),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => l == r,
    }
}

/// Order of two numbers or two strings; `None` for anything else.
fn order(l: &Json, r: &Json) -> Option<Ordering> {
    match (l, r) {
        (Json::Number(a), Json::Number(b)) => number_cmp(a, b),
        (Json::String(a), Json::String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    }
}

/// Exact for integers, by `f64` otherwise.
fn number_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// `l in r`: `r` is an array with an element equal to `l`.
fn in_list(l: Option<&Json>, r: Option<&Json>) -> bool {
    match (l, r) {
        (Some(l), Some(Json::Array(list))) => list.iter().any(|x| equals(Some(l), Some(x))),
        _ => false,
    }
}

/// Counts the elements of array `l` found in array `r` and asks `test(hits, len(l))`.
fn set_test(l: &Json, r: &Json, test: impl Fn(usize, usize) -> bool) -> bool {
    match (l, r) {
        (Json::Array(a), Json::Array(b)) => {
            let hits = a
                .iter()
                .filter(|x| b.iter().any(|y| equals(Some(x), Some(y))))
                .count();
            test(hits, a.len())
        }
        _ => false,
    }
}

/// `l size n`: the array's length, or the string's length in UTF-16 units (Java's).
fn size_is(l: &Json, r: &Json) -> bool {
    let Some(n) = r.as_u64() else {
        return false;
    };
    let len = match l {
        Json::Array(a) => a.len(),
        Json::String(s) => s.encode_utf16().count(),
        _ => return false,
    };
    len as u64 == n
}
