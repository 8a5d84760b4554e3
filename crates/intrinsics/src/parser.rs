//! Parser for intrinsic call syntax: `States.Name(arg, arg, ...)`.
//!
//! Arguments are string literals in single quotes, numbers, `true`/`false`/`null`, paths
//! (anything starting with `$`, captured verbatim up to the next top-level `,` or `)`), or
//! nested calls. Whitespace between tokens is ignored.
//!
//! String literals follow AWS's "Reserved characters in intrinsic functions" rules: `'`, `{`,
//! `}` and `\` are reserved and written `\'`, `\{`, `\}`, `\\`. Any other backslash sequence
//! (e.g. a two-character `\n`) is rejected, as AWS rejects it when validating the definition.
//! Unescaped `{` and `}` are allowed (they are States.Format placeholders).

use switchback_json::Json;

use crate::{Arg, Intrinsic, ParseError, FUNCTION_NAMES};

/// Deepest nesting accepted. AWS documents "up to 10 nested intrinsic functions"; the outer
/// call plus ten nested ones is allowed. The limit also keeps the recursive parser off the
/// end of the stack on hostile input.
const MAX_DEPTH: usize = 11;

/// Parses one complete call; trailing non-whitespace is an error.
pub(crate) fn parse(src: &str) -> Result<Intrinsic, ParseError> {
    let mut p = Parser { src, pos: 0 };
    p.skip_ws();
    let call = p.call(1)?;
    p.skip_ws();
    if p.pos != src.len() {
        return Err(p.err("unexpected text after the closing ')'"));
    }
    Ok(call)
}

/// Writes `s` as a single-quoted intrinsic string literal, escaping the reserved characters.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A cursor over the source; `pos` is always a char boundary.
struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> ParseError {
        ParseError {
            message: format!(
                "invalid intrinsic function call '{}': {what} (at offset {})",
                self.src, self.pos
            ),
        }
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn expect(&mut self, want: char) -> Result<(), ParseError> {
        if self.peek() == Some(want) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(&format!("expected '{want}'")))
        }
    }

    /// `States.Name ( args )`, with the name checked against the known functions.
    fn call(&mut self, depth: usize) -> Result<Intrinsic, ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.err("intrinsic functions are nested too deeply (at most 10)"));
        }
        let name = self.function_name()?;
        self.skip_ws();
        self.expect('(')?;
        self.skip_ws();
        let mut args = Vec::new();
        if self.peek() == Some(')') {
            self.bump();
            return Ok(Intrinsic { name, args });
        }
        loop {
            self.skip_ws();
            args.push(self.arg(depth)?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(')') => return Ok(Intrinsic { name, args }),
                _ => return Err(self.err("expected ',' or ')' after an argument")),
            }
        }
    }

    /// `States.` followed by letters and digits, which must name a known function.
    fn function_name(&mut self) -> Result<String, ParseError> {
        if !self.rest().starts_with("States.") {
            return Err(self.err("expected a function name starting with 'States.'"));
        }
        let start = self.pos;
        self.pos += "States.".len();
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.bump();
        }
        let name = &self.src[start..self.pos];
        if FUNCTION_NAMES.contains(&name) {
            Ok(name.to_string())
        } else {
            self.pos = start;
            Err(self.err(&format!("unknown intrinsic function '{name}'")))
        }
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, ParseError> {
        match self.peek() {
            Some('\'') => self.string().map(|s| Arg::Literal(Json::from(s))),
            Some('$') => self.path().map(Arg::Path),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number().map(Arg::Literal),
            Some(_) if self.rest().starts_with("States.") => {
                self.call(depth + 1).map(|c| Arg::Call(Box::new(c)))
            }
            Some(_) => self.keyword().map(Arg::Literal),
            None => Err(self.err("expected an argument")),
        }
    }

    /// A single-quoted string with the four reserved-character escapes.
    fn string(&mut self) -> Result<String, ParseError> {
        self.expect('\'')?;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err("unterminated string literal")),
                Some('\'') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some(c @ ('\'' | '{' | '}' | '\\')) => out.push(c),
                    Some(c) => {
                        return Err(self.err(&format!(
                            "invalid escape sequence '\\{c}' in string literal"
                        )))
                    }
                    None => return Err(self.err("unterminated string literal")),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// A JSON number: `-?digits(.digits)?([eE][+-]?digits)?`, kept exact by serde_json.
    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.pos;
        let text = self.rest();
        let len = text
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(text.len());
        let token = text[..len].to_string();
        match serde_json::from_str::<Json>(&token) {
            Ok(v @ Json::Number(_)) => {
                self.pos += len;
                Ok(v)
            }
            _ => {
                self.pos = start;
                Err(self.err(&format!("invalid number '{token}'")))
            }
        }
    }

    /// `true`, `false` or `null`, followed by a delimiter.
    fn keyword(&mut self) -> Result<Json, ParseError> {
        let text = self.rest();
        let len = text
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(text.len());
        let value = match &text[..len] {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            "null" => Json::Null,
            _ => return Err(self.err("expected a string, number, true, false, null, path or call")),
        };
        self.pos += len;
        Ok(value)
    }

    /// A path, taken verbatim up to the first `,` or `)` outside brackets, parentheses and
    /// quotes, with trailing whitespace trimmed. The engine's JSONPath code judges it.
    fn path(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let mut nesting = 0usize;
        let mut quote: Option<char> = None;
        while let Some(c) = self.peek() {
            match (quote, c) {
                (Some(_), '\\') => {
                    self.bump();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '[' | '(') => nesting += 1,
                (None, ']' | ')') if nesting > 0 => nesting -= 1,
                (None, ',' | ')') => break,
                (None, _) => {}
            }
            self.bump();
        }
        if quote.is_some() || nesting > 0 {
            return Err(self.err("unterminated path argument"));
        }
        Ok(self.src[start..self.pos].trim_end().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchback_json::json;

    fn lit(v: Json) -> Arg {
        Arg::Literal(v)
    }

    #[test]
    fn parses_format_with_path() {
        let call = parse("States.Format('Hello, {}', $.name)").unwrap();
        assert_eq!(call.name, "States.Format");
        assert_eq!(
            call.args,
            vec![lit(json!("Hello, {}")), Arg::Path("$.name".into())]
        );
    }

    #[test]
    fn parses_nested_calls_and_literals() {
        let call =
            parse(" States.JsonToString( States.Array(1, -2.5, true, false, null) ) ").unwrap();
        let Arg::Call(inner) = &call.args[0] else {
            panic!("expected a nested call")
        };
        assert_eq!(inner.name, "States.Array");
        assert_eq!(
            inner.args,
            vec![
                lit(json!(1)),
                lit(json!(-2.5)),
                lit(json!(true)),
                lit(json!(false)),
                lit(Json::Null)
            ]
        );
    }

    #[test]
    fn empty_argument_list() {
        assert_eq!(parse("States.UUID()").unwrap().args, vec![]);
        assert_eq!(parse("States.Array( )").unwrap().args, vec![]);
    }

    #[test]
    fn string_escapes_follow_aws_reserved_characters() {
        let call = parse(r"States.Format('it\'s \{\} a \\ b {}', 1)").unwrap();
        assert_eq!(call.args[0], lit(json!(r"it's {} a \ b {}")));
        // Double quotes and real newlines need no escape.
        let call = parse("States.StringSplit('say \"hi\"\nnow', '\n')").unwrap();
        assert_eq!(call.args[0], lit(json!("say \"hi\"\nnow")));
    }

    #[test]
    fn unknown_escape_is_rejected() {
        assert!(parse(r"States.Base64Decode('YWJj\nZA==')").is_err());
        assert!(parse(r#"States.StringToJson('{\"a\":1}')"#).is_err());
    }

    #[test]
    fn paths_are_captured_verbatim() {
        let call = parse(
            "States.Array($, $$.Execution.Id, $var, $var.x, $.a[0], $.a[*], $['a,b'], $.a[?(@.x == 'y)')] , $.b)",
        )
        .unwrap();
        let paths: Vec<_> = call
            .args
            .iter()
            .map(|a| match a {
                Arg::Path(p) => p.as_str(),
                _ => panic!("expected a path"),
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                "$",
                "$$.Execution.Id",
                "$var",
                "$var.x",
                "$.a[0]",
                "$.a[*]",
                "$['a,b']",
                "$.a[?(@.x == 'y)')]",
                "$.b"
            ]
        );
    }

    #[test]
    fn rejects_malformed_input() {
        for src in [
            "",
            "States.Nope(1)",
            "States.Format",
            "States.Format('a'",
            "States.Format('a',)",
            "States.Format(,'a')",
            "States.Format('a') x",
            "States.Format('unterminated)",
            "States.Array(tru)",
            "States.Array(1.2.3)",
            "States.Array(--1)",
            "States.Array(1e999)",
            "States.Array($.a[0)",
            "Format('a')",
            "States.Array(abc)",
        ] {
            assert!(parse(src).is_err(), "{src:?} should not parse");
        }
    }

    #[test]
    fn nesting_limit() {
        let nested = |n: usize| format!("{}1{}", "States.Array(".repeat(n), ")".repeat(n));
        assert!(parse(&nested(11)).is_ok());
        assert!(parse(&nested(12)).is_err());
        assert!(parse(&nested(100_000)).is_err());
    }

    #[test]
    fn display_round_trips() {
        let src = r"States.Format('a \' \{\} \\', $.x, States.Array(1, 2.5, null), true)";
        let call = parse(src).unwrap();
        assert_eq!(parse(&call.to_string()).unwrap(), call);
    }
}
