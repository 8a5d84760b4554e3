//! Reading JSON text into a [`Json`] in one pass, sizes counted on the way.
//!
//! Why not serde_json's reader through `Deserialize`, which this crate also implements: an
//! execution's input is read once per execution, a task's result once per task, and at 250 KB
//! serde's visitor path cost about 30 instructions a byte. Most of it went into allocating every
//! object key anew (a list of records repeats the same few keys thousands of times), growing
//! vectors while their elements arrive, and then walking the finished value once more to count
//! its size for AWS's payload limit. This reader:
//! - shares repeated keys and short strings within one text (one allocation per distinct
//!   text, see [`Interned`]);
//! - gathers the elements of every array and object on one stack and moves each out once, at
//!   its final size;
//! - counts each array's and object's compact size as it reads it (`Memo`), so the engine's
//!   first size check of a fresh input costs nothing;
//! - scans strings eight bytes at a time for the quote, backslash or control byte that ends a
//!   plain run.
//!
//! It reads what serde_json reads and gives the same value, but it does not explain failures:
//! on anything it does not accept (bad syntax, a number it does not read itself and serde_json
//! refuses, a lone surrogate, nesting past serde_json's limit) it gives up, and
//! [`Json::parse`](crate::Json::parse) reads the text again with serde_json, which either
//! accepts it the same way or reports the error in the words users have always seen.

use crate::size::{number_len, string_len};
use crate::{Array, Json, Map, Number, Object, Str};

/// serde_json's default recursion limit: past it, serde_json refuses the text, so this reader
/// gives up and lets serde_json say so.
const MAX_DEPTH: usize = 128;

/// Strings up to this many bytes are shared within one text ([`Interned`]).
const INTERN_MAX: usize = 24;

/// Slots in the table of shared strings (a power of two).
const INTERN_SLOTS: usize = 256;

/// Texts shorter than this share nothing: the table would cost more than it saves.
const INTERN_FROM: usize = 2048;

/// Reads `text` as one JSON value; `None` when it is not JSON this reader accepts (the caller
/// then asks serde_json).
pub(crate) fn parse(text: &str) -> Option<Json> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        depth: 0,
        items: Vec::new(),
        members: Vec::new(),
        scratch: Vec::new(),
        interned: Interned::new(text.len() >= INTERN_FROM),
    };
    let (value, _) = reader.value()?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(value)
}

/// The reader's state over one text.
struct Reader<'t> {
    text: &'t str,
    /// `text`'s bytes.
    bytes: &'t [u8],
    /// The next byte to read.
    at: usize,
    /// Arrays and objects open around the current value.
    depth: usize,
    /// Elements of the open arrays, innermost last: one stack for all of them, so an array is
    /// allocated once, at its final length.
    items: Vec<Json>,
    /// Members of the open objects, innermost last (as `items`).
    members: Vec<(Str, Json)>,
    /// A string being unescaped (checked to be UTF-8 once whole).
    scratch: Vec<u8>,
    interned: Interned,
}

impl Reader<'_> {
    /// One value and its compact size.
    fn value(&mut self) -> Option<(Json, usize)> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => {
                let (s, size) = self.string()?;
                Some((Json::String(s), size))
            }
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'n' => self.literal(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, consumed.
    fn next_token(&mut self) -> Option<u8> {
        self.skip_space();
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Option<(Json, usize)> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| {
            self.at = end;
            (value, word.len())
        })
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        // serde_json counts the same way: the 128th nested array or object is refused.
        (self.depth < MAX_DEPTH).then_some(())
    }

    fn array(&mut self) -> Option<(Json, usize)> {
        self.enter()?;
        self.at += 1; // '['
        let start = self.items.len();
        // The brackets, then each element and the comma before it.
        let mut size = 2;
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
        } else {
            loop {
                let (item, item_size) = self.value()?;
                size += item_size;
                self.items.push(item);
                match self.next_token()? {
                    b',' => size += 1,
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let array = Array::from(self.items.split_off(start));
        array.memo().set_size(size);
        Some((Json::Array(array), size))
    }

    fn object(&mut self) -> Option<(Json, usize)> {
        self.enter()?;
        self.at += 1; // '{'
        let start = self.members.len();
        // The keys' and values' sizes, added up as they are read.
        let mut content = 0;
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
        } else {
            loop {
                if self.next_token()? != b'"' {
                    return None;
                }
                self.at -= 1;
                let (key, key_size) = self.string()?;
                if self.next_token()? != b':' {
                    return None;
                }
                let (value, value_size) = self.value()?;
                content += key_size + value_size;
                self.members.push((key, value));
                match self.next_token()? {
                    b',' => {}
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let read = self.members.len() - start;
        let mut map = Map::with_capacity_and_hasher(read, Default::default());
        // One by one, as serde_json's map does: a repeated key keeps its first place and takes
        // its last value.
        for (key, value) in self.members.drain(start..) {
            map.insert(key, value);
        }
        let object = Object::from(map);
        // The braces, a colon per member and a comma between members, then the keys and
        // values; counted again from the map when a repeated key dropped a member.
        let n = object.len();
        let mut size = 2 + n + n.saturating_sub(1);
        if n == read {
            size += content;
        } else {
            for (key, value) in object.iter() {
                size += string_len(key) + value.size();
            }
        }
        object.memo().set_size(size);
        Some((Json::Object(object), size))
    }

    /// A string starting at its opening quote, and its size as compact JSON.
    fn string(&mut self) -> Option<(Str, usize)> {
        self.at += 1; // '"'
        let start = self.at;
        let run_end = plain_run(self.bytes, start);
        match *self.bytes.get(run_end)? {
            b'"' => {
                self.at = run_end + 1;
                // A run of plain bytes is written back as it is: its size is its length and
                // the quotes. Slicing the text between two ASCII bytes checks only its ends.
                let text = self.text.get(start..run_end)?;
                Some((self.interned.get(text), text.len() + 2))
            }
            b'\\' => {
                // Decoded into `scratch`, with room for the rest of the text (the string
                // cannot be longer) and written by index: a push per byte, or a copy call per
                // short run, cost more than the decoding.
                // Only ever grown (and never cleared: only what is written is read), so a text
                // of many such strings is not zeroed again for each.
                let room = self.bytes.len() - start + 8;
                if self.scratch.len() < room {
                    self.scratch.resize(room, 0);
                }
                let head = run_end - start;
                self.scratch[..head].copy_from_slice(&self.bytes[start..run_end]);
                self.at = run_end;
                let (written, rest) = self.escaped(head)?;
                let text = std::str::from_utf8(&self.scratch[..written]).ok()?;
                Some((Str::from(text), 2 + head + rest))
            }
            // A raw control character: serde_json refuses it.
            _ => None,
        }
    }

    /// The rest of a string that holds escapes, from a backslash to the closing quote, decoded
    /// into `scratch` from `written` on; returns where the decoded text ends and the rest's
    /// size as serde_json writes it back.
    ///
    /// Eight bytes at a time between escapes: an input carried inside a request's JSON string
    /// has an escaped quote every ten bytes or so, so the runs are short and a run's cost is
    /// what counts. A word is always copied whole and the end moved by the plain bytes in it.
    fn escaped(&mut self, mut written: usize) -> Option<(usize, usize)> {
        let mut size = 0;
        loop {
            // Plain bytes up to the next quote, backslash or control byte.
            while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                self.scratch
                    .get_mut(written..written + 8)?
                    .copy_from_slice(&word);
                let hits = special_bytes(u64::from_le_bytes(word));
                let n = if hits == 0 {
                    8
                } else {
                    (hits.trailing_zeros() / 8) as usize
                };
                self.at += n;
                written += n;
                size += n;
                if n < 8 {
                    break;
                }
            }
            let b = *self.bytes.get(self.at)?;
            if b != b'\\' {
                if b == b'"' {
                    self.at += 1;
                    return Some((written, size));
                }
                if b < 0x20 {
                    // A raw control character: serde_json refuses it.
                    return None;
                }
                // Fewer than eight bytes left: one at a time.
                *self.scratch.get_mut(written)? = b;
                self.at += 1;
                written += 1;
                size += 1;
                continue;
            }
            let escape = *self.bytes.get(self.at + 1)?;
            self.at += 2;
            let simple = match escape {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    let c = self.unicode_escape()?;
                    size += written_len(c);
                    let mut utf8 = [0u8; 4];
                    let encoded = c.encode_utf8(&mut utf8).as_bytes();
                    self.scratch
                        .get_mut(written..written + encoded.len())?
                        .copy_from_slice(encoded);
                    written += encoded.len();
                    continue;
                }
                _ => return None,
            };
            size += written_len(char::from(simple));
            *self.scratch.get_mut(written)? = simple;
            written += 1;
        }
    }

    /// The character of a `\u` escape (the four digits at `at`, and a second escape when the
    /// first is a leading surrogate). A lone surrogate gives up: serde_json refuses it.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xE000).contains(&first) {
            return char::from_u32(first);
        }
        if first >= 0xDC00 || self.bytes.get(self.at..self.at + 2)? != b"\\u" {
            return None;
        }
        self.at += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// A number. Integers that fit are read here (the common case); any other number is
    /// handed to serde_json's own number reader, so that floats round-trip exactly as before.
    fn number(&mut self) -> Option<(Json, usize)> {
        let start = self.at;
        let negative = self.bytes[start] == b'-';
        let digits_start = start + usize::from(negative);
        let mut end = digits_start;
        while let Some(b'0'..=b'9') = self.bytes.get(end) {
            end += 1;
        }
        let digits = &self.bytes[digits_start..end];
        let is_integer = !matches!(self.bytes.get(end), Some(b'.' | b'e' | b'E'));
        // Up to 18 digits cannot overflow; a leading zero is only "0" itself; "-0" is a float
        // to serde_json.
        let plain = is_integer
            && !digits.is_empty()
            && digits.len() <= 18
            && (digits[0] != b'0' || (digits.len() == 1 && !negative));
        if plain {
            let magnitude = digits
                .iter()
                .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            let number = if negative {
                // At most 18 digits: below i64's limit.
                Number::from(-(magnitude as i64))
            } else {
                Number::from(magnitude)
            };
            self.at = end;
            return Some((Json::Number(number), end - start));
        }
        // The whole token, as JSON's grammar delimits it; serde_json checks its form.
        while let Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') = self.bytes.get(end) {
            end += 1;
        }
        let token = std::str::from_utf8(&self.bytes[start..end]).ok()?;
        let number: Number = serde_json::from_str(token).ok()?;
        self.at = end;
        let size = number_len(&number);
        Some((Json::Number(number), size))
    }
}

/// The length of `c` as serde_json writes it inside a string.
fn written_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        '\u{0}'..='\u{1f}' => 6,
        _ => c.len_utf8(),
    }
}

/// Where the plain run of string content starting at `from` ends: the first quote, backslash
/// or control byte (or the end of the text). Eight bytes at a time, as `size::string_len`.
fn plain_run(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let hits = special_bytes(u64::from_le_bytes(word));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return at;
        }
        at += 1;
    }
    at
}

/// The high bit of every byte of `word` that is a quote, a backslash or below 0x20, exactly
/// (unlike the looser test in `size`, a false hit here would end a run early).
fn special_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // Exact per-byte "equals zero" and "below 0x20" tests that never carry between bytes.
    let zero = |x: u64| !(((x & LOWS) + LOWS) | x | LOWS);
    let control = !(((word & LOWS) + ONES * (0x80 - 0x20)) | word | LOWS);
    zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\'))) | control
}

/// Short strings already made while reading one text, so that repeats share one allocation: a
/// list of records repeats the same keys, and often the same short values, thousands of
/// times. A direct-mapped table: a slot holds the last string that hashed to it.
struct Interned {
    /// Empty when sharing is off (a short text).
    slots: Vec<Option<Str>>,
}

impl Interned {
    fn new(on: bool) -> Interned {
        Interned {
            slots: if on {
                vec![None; INTERN_SLOTS]
            } else {
                Vec::new()
            },
        }
    }

    fn get(&mut self, text: &str) -> Str {
        if text.len() > INTERN_MAX || self.slots.is_empty() {
            return Str::from(text);
        }
        let slot = &mut self.slots[slot_of(text.as_bytes())];
        match slot {
            Some(s) if s.as_str() == text => s.clone(),
            _ => {
                let s = Str::from(text);
                *slot = Some(s.clone());
                s
            }
        }
    }
}

/// FNV-1a of a short text, folded to a slot.
fn slot_of(bytes: &[u8]) -> usize {
    let mut h: u32 = 0x811C_9DC5;
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (h as usize ^ (h as usize >> 16)) & (INTERN_SLOTS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reader's value, or `None`; and serde_json's for the same text.
    fn both(text: &str) -> (Option<Json>, Result<Json, serde_json::Error>) {
        (parse(text), serde_json::from_str::<Json>(text))
    }

    /// Texts this reader accepts give serde_json's value, with the same size remembered.
    #[test]
    fn accepts_what_serde_json_accepts_with_the_same_value() {
        let texts = [
            "{}",
            "[]",
            " [ 1 , 2 ,3 ] ",
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
            r#"{"a":1,"a":2,"b":3}"#,
            r#""plain""#,
            r#""esc\"aped\\ \/ \b\f\n\r\t \u0041\u00e9\u20ac \ud83d\ude00 end""#,
            r#""unicode: é € 😀""#,
            r#""controls \u0001\u001f\u0000 and \u007f""#,
            r#""a long run of plain text before an escape \" and after it, long enough""#,
            "0",
            "-1",
            "123456789012345678",
            "-123456789012345678",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-0",
            "-0.0",
            "1e3",
            "1E-3",
            "2.5e+10",
            "0.1",
            "3.141592653589793",
            "1e308",
            r#"{"records":[{"id":"r-1","text":"a b c","n":5,"tags":["x","y"]},{"id":"r-2","text":"a b c","n":-5,"tags":[]}]}"#,
            "\t\r\n{\"k\" :\n\"v\"\t}\n",
        ];
        for text in texts {
            let (fast, serde) = both(text);
            let serde = serde.expect(text);
            let fast = fast.unwrap_or_else(|| panic!("the fast reader refused {text}"));
            assert_eq!(fast, serde, "{text}");
            assert_eq!(fast.to_string(), serde.to_string(), "{text}");
            assert_eq!(fast.size(), serde.to_string().len(), "{text}");
        }
    }

    /// Texts serde_json refuses are refused (and so reported by serde_json); a few it accepts
    /// are left to it too.
    #[test]
    fn never_accepts_what_serde_json_refuses() {
        let texts = [
            "",
            " ",
            "{",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{a:1}",
            "01",
            "-",
            "-a",
            "1.",
            ".5",
            "1e",
            "+1",
            "1e400",
            "tru",
            "nul",
            "\"unterminated",
            "\"raw\ncontrol\"",
            "\"bad \\x escape\"",
            "\"\\u12\"",
            "\"lone \\ud83d surrogate\"",
            "\"lone \\ude00 trail\"",
            "[1] x",
            "{} {}",
            "NaN",
            "\u{feff}{}",
        ];
        for text in texts {
            let (fast, serde) = both(text);
            if serde.is_err() {
                assert!(fast.is_none(), "accepted what serde_json refuses: {text:?}");
            } else {
                assert_eq!(fast, serde.ok(), "{text:?}");
            }
        }
    }

    #[test]
    fn nesting_past_serde_jsons_limit_is_left_to_serde_json() {
        let deep = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert_eq!(parse(&deep), serde_json::from_str::<Json>(&deep).ok());
        let limit = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(&limit).is_none());
        assert!(serde_json::from_str::<Json>(&limit).is_err());
        let deeper = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deeper).is_none());
        assert!(serde_json::from_str::<Json>(&deeper).is_err());
    }

    #[test]
    fn repeated_short_strings_share_one_allocation() {
        let text = format!(
            r#"[{{"key":"v"}},{{"key":"v"}},"{}"]"#,
            "x".repeat(INTERN_FROM)
        );
        let value = parse(&text).expect("valid");
        let keys: Vec<&Str> = value
            .as_array()
            .expect("array")
            .iter()
            .take(2)
            .map(|o| o.as_object().expect("object").keys().next().expect("key"))
            .collect();
        assert!(std::sync::Arc::ptr_eq(keys[0].as_arc(), keys[1].as_arc()));
    }

    /// Random texts, valid and damaged: whatever this reader accepts, serde_json accepts as
    /// the same value (text and size), and every valid text is accepted.
    #[test]
    fn random_texts_agree_with_serde_json() {
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        const PIECES: [&str; 24] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\n",
            "\"k\"",
            "\"v\\\"q\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"é\"",
            "0",
            "-1",
            "12.5e-3",
            "true",
            "null",
            "1e999",
            "\"\\ud800\"",
            "-0",
            "00",
            "\"\t\"",
            "\"long text with spaces\"",
        ];
        for round in 0..20_000 {
            let text: String = if round % 2 == 0 {
                // Pieces strung together: mostly invalid, sometimes not.
                (0..(next() % 12))
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            } else {
                // A valid document with one byte changed, or none.
                let mut text =
                    r#"{"a":[1,-2,3.5,"x\"y",{"b":null,"c":true}],"d":"\u00e9é","e":{}}"#
                        .to_string()
                        .into_bytes();
                if next() % 4 != 0 {
                    let at = (next() % text.len() as u64) as usize;
                    text[at] = b"{}[],:\"\\ 0-.eE1tn\x01"[(next() % 18) as usize];
                }
                String::from_utf8_lossy(&text).into_owned()
            };
            let (fast, serde) = both(&text);
            match (fast, serde) {
                (Some(fast), Ok(serde)) => {
                    assert_eq!(fast.to_string(), serde.to_string(), "{text:?}");
                    assert_eq!(fast.size(), serde.to_string().len(), "{text:?}");
                }
                (Some(_), Err(e)) => panic!("accepted what serde_json refuses ({e}): {text:?}"),
                (None, Ok(_)) if !text.contains("\\ud800") => {
                    panic!("refused valid text {text:?}")
                }
                _ => {}
            }
        }
    }

    #[test]
    fn special_bytes_finds_exactly_quotes_backslashes_and_controls() {
        for b in 0u8..=255 {
            let word = u64::from_le_bytes([b'a', b, b'a', b'a', 0x7f, 0x80, 0xff, b' ']);
            let expected = b == b'"' || b == b'\\' || b < 0x20;
            assert_eq!(special_bytes(word) != 0, expected, "byte {b:#x}");
            if expected {
                assert_eq!(special_bytes(word).trailing_zeros() / 8, 1);
            }
        }
    }
}
