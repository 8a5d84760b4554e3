//! Text to segments, following Jayway's `PathCompiler` where AWS relies on it.
//!
//! The parser is a byte cursor with recursive descent for brackets and filters. Every
//! failure is a [`ParseError`]; nesting is bounded so that hostile input cannot overflow
//! the stack.

use crate::filter;
use crate::{ParseError, Root, Segment};

/// Deepest nesting of filters and parentheses accepted (stack safety).
const MAX_DEPTH: u32 = 64;

/// A position in the text being parsed.
pub(crate) struct Cursor<'s> {
    pub(crate) src: &'s str,
    pub(crate) pos: usize,
    depth: u32,
}

/// Where a run of path segments stops: at the end of the text (a whole path) or at the
/// first character that cannot continue a path inside a filter (`@.a == 1`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    TopLevel,
    InFilter,
}

/// Parses a whole path: root, then segments to the end.
pub(crate) fn parse_path(src: &str) -> Result<(Root, Vec<Segment>), ParseError> {
    // Jayway trims the path before compiling it.
    let text = src.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
    let mut cur = Cursor::new(text);
    let root = cur.root()?;
    if !cur.at_end() && !matches!(cur.peek(), Some('.' | '[')) {
        return Err(cur.error("expected '.' or '[' after the root"));
    }
    let segments = cur.segments(Mode::TopLevel)?;
    if !cur.at_end() {
        return Err(cur.error("unexpected character"));
    }
    Ok((root, segments))
}

impl<'s> Cursor<'s> {
    pub(crate) fn new(src: &'s str) -> Cursor<'s> {
        Cursor {
            src,
            pos: 0,
            depth: 0,
        }
    }

    pub(crate) fn rest(&self) -> &'s str {
        &self.src[self.pos..]
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(crate) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    pub(crate) fn expect(&mut self, c: char) -> Result<(), ParseError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected '{c}'")))
        }
    }

    pub(crate) fn error(&self, what: &str) -> ParseError {
        ParseError::new(format!(
            "Invalid JSONPath '{}': {what} at position {}",
            self.src, self.pos
        ))
    }

    /// Enters one level of nesting; errors when the input nests too deeply.
    pub(crate) fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// `$` (input), `$$` (context) or `$name` (variable: letters, digits, underscore).
    fn root(&mut self) -> Result<Root, ParseError> {
        if !self.eat('$') {
            return Err(self.error("a path must start with '$'"));
        }
        if self.eat('$') {
            return Ok(Root::Context);
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
        if self.pos == start {
            Ok(Root::Input)
        } else {
            Ok(Root::Variable(self.src[start..self.pos].to_string()))
        }
    }

    /// Segments until the end of the text (top level) or the end of a filter operand.
    pub(crate) fn segments(&mut self, mode: Mode) -> Result<Vec<Segment>, ParseError> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(c) if mode == Mode::InFilter && ends_filter_path(c) => break,
                Some('.') => self.dot(mode, &mut out)?,
                Some('[') => out.push(self.bracket()?),
                // Jayway reads a name glued to a previous token (`$['a']b`, `$.*b`) as `.b`.
                Some(_) if !out.is_empty() => out.push(self.token_after_dot(mode)?),
                Some(_) => return Err(self.error("expected '.' or '['")),
            }
        }
        Ok(out)
    }

    /// `.name`, `.*`, `.[...]` or `..` followed by one of those.
    fn dot(&mut self, mode: Mode, out: &mut Vec<Segment>) -> Result<(), ParseError> {
        self.pos += 1;
        if self.eat('.') {
            out.push(Segment::Descendant);
        }
        match self.peek() {
            None => Err(self.error("a path must not end with '.' or '..'")),
            Some('.') => Err(self.error("'.' is not valid here")),
            Some(c) if mode == Mode::InFilter && ends_filter_path(c) => {
                Err(self.error("a path must not end with '.' or '..'"))
            }
            Some('[') => {
                out.push(self.bracket()?);
                Ok(())
            }
            Some(_) => {
                out.push(self.token_after_dot(mode)?);
                Ok(())
            }
        }
    }

    /// `*` or a name, where a name runs to the next `.` or `[`.
    fn token_after_dot(&mut self, mode: Mode) -> Result<Segment, ParseError> {
        if self.eat('*') {
            return Ok(Segment::Wildcard);
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            match c {
                '.' | '[' => break,
                c if mode == Mode::InFilter && ends_filter_path(c) => break,
                ' ' => {
                    return Err(self.error(
                        "use bracket notation ['my prop'] if a name contains blank characters",
                    ))
                }
                '(' => return Err(self.error("JSONPath functions are not supported")),
                _ => {
                    self.bump();
                }
            }
        }
        if self.pos == start {
            return Err(self.error("expected a name"));
        }
        Ok(Segment::Field(self.src[start..self.pos].to_string()))
    }

    /// Everything in square brackets: names, indexes, slices, `*` and filters.
    fn bracket(&mut self) -> Result<Segment, ParseError> {
        self.pos += 1;
        self.skip_ws();
        match self.peek() {
            Some(q @ ('\'' | '"')) => self.quoted_names(q),
            Some('*') => {
                self.pos += 1;
                self.close_bracket(Segment::Wildcard)
            }
            Some('?') => self.filter(),
            Some(c) if c.is_ascii_digit() || c == '-' || c == ':' => self.indexes(),
            _ => Err(self.error("expected ', \", a number, ':', '*' or '?' after '['")),
        }
    }

    fn close_bracket(&mut self, seg: Segment) -> Result<Segment, ParseError> {
        self.skip_ws();
        self.expect(']')?;
        Ok(seg)
    }

    /// `['a']`, `["a"]`, `['a','b']`. As AWS's Jayway does, a backslash only stops the next
    /// character from closing the name; it stays in the name (`$['a\'b']` names `a\'b`).
    fn quoted_names(&mut self, quote: char) -> Result<Segment, ParseError> {
        let mut names = Vec::new();
        loop {
            self.skip_ws();
            if !self.eat(quote) {
                return Err(self.error(&format!("expected {quote}")));
            }
            let start = self.pos;
            let mut escaped = false;
            loop {
                match self.bump() {
                    None => return Err(self.error(&format!("missing closing {quote}"))),
                    Some(_) if escaped => escaped = false,
                    Some('\\') => escaped = true,
                    Some(c) if c == quote => break,
                    Some(_) => {}
                }
            }
            names.push(self.src[start..self.pos - quote.len_utf8()].to_string());
            self.skip_ws();
            if self.eat(']') {
                break;
            }
            if !self.eat(',') {
                return Err(self.error("expected ',' or ']' after a quoted name"));
            }
        }
        Ok(if names.len() == 1 {
            Segment::Field(names.pop().unwrap_or_default())
        } else {
            Segment::Fields(names)
        })
    }

    /// `[0]`, `[-1]`, `[0, 2]`, `[1:3]`, `[:2]`, `[-2:]`, `[::2]`.
    fn indexes(&mut self) -> Result<Segment, ParseError> {
        let Some(len) = self.rest().find(']') else {
            return Err(self.error("missing closing ]"));
        };
        let body = &self.rest()[..len];
        let seg = if body.contains(':') {
            parse_slice(body)
        } else {
            parse_index_list(body)
        }
        .ok_or_else(|| self.error(&format!("invalid index or slice [{body}]")))?;
        self.pos += len + 1;
        Ok(seg)
    }

    /// `[?( expression )]`.
    fn filter(&mut self) -> Result<Segment, ParseError> {
        self.pos += 1;
        self.skip_ws();
        self.expect('(')?;
        self.enter()?;
        let expr = filter::parse_or(self)?;
        self.leave();
        self.skip_ws();
        self.expect(')')?;
        self.close_bracket(Segment::Filter(Box::new(expr)))
    }
}

/// Characters that end a path used as an operand inside a filter.
fn ends_filter_path(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | ')' | '<' | '>' | '=' | '!' | '~' | '&' | '|' | ',' | ']'
    )
}

/// One integer of an index expression, with the blanks around it.
fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    s.parse().ok()
}

/// `0` or `0, 2, -1`.
fn parse_index_list(body: &str) -> Option<Segment> {
    let list: Vec<i64> = body.split(',').map(parse_int).collect::<Option<_>>()?;
    Some(match list.as_slice() {
        [one] => Segment::Index(*one),
        _ => Segment::Indexes(list),
    })
}

/// `start:end` or `start:end:step`, each part optional; Jayway needs a start or an end
/// unless a step is given, and the step must be positive.
fn parse_slice(body: &str) -> Option<Segment> {
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let part = |i: usize| -> Option<Option<i64>> {
        match parts.get(i).map(|p| p.trim()) {
            None | Some("") => Some(None),
            Some(p) => parse_int(p).map(Some),
        }
    };
    let (start, end, step) = (part(0)?, part(1)?, part(2)?);
    if step.is_some_and(|s| s <= 0) || (start.is_none() && end.is_none() && step.is_none()) {
        return None;
    }
    Some(Segment::Slice { start, end, step })
}
