//! A JSON file (`InputType: JSON`) read a piece at a time: the elements of its top-level
//! array, each handed out as soon as its closing byte arrives.
//!
//! Why not `serde_json`'s stream deserializer: it reads a sequence of whole documents, and a
//! JSON file here is one document, an array that may be gigabytes long. So this reader splits
//! the array itself: it follows only strings (with their escapes) and nesting, collects each
//! element's bytes, and parses each element alone. What it holds is the element being read.
//!
//! A file whose top level is not an array is kept whole and parsed at the end: its fault is
//! AWS's "Attempting to map over non-iterable node." (or the parser's, when it is not JSON at
//! all), as for a file read at once. So is a file read with an `ItemsPointer`
//! ([`JsonArrayReader::at`]): its items are the array that JSON Pointer names.

use switchback_json::Json;

use super::ItemReaderError;

/// Where the reader is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before the first byte that is not whitespace.
    Start,
    /// Inside the array, where an element (or its end) comes next.
    BeforeElement,
    /// Inside an element.
    InElement,
    /// After an element, where a comma or the array's end comes next.
    AfterElement,
    /// After the array's closing bracket: only whitespace may follow.
    End,
    /// The top level is not an array: every byte is kept for [`JsonArrayReader::finish`].
    NotAnArray,
}

/// Reads a JSON file fed in pieces into the elements of its top-level array.
#[derive(Debug)]
pub struct JsonArrayReader {
    place: Place,
    /// The element being read (or, when the file is not an array, the whole file).
    element: Vec<u8>,
    /// How deep the reader is inside the element's own arrays and objects.
    depth: usize,
    /// Inside a string of the element.
    in_string: bool,
    /// The previous byte of a string was a backslash.
    escaping: bool,
    /// Elements read so far (for messages).
    elements: u64,
    /// `ItemsPointer`: the items are the array at this JSON Pointer (the file is read whole).
    pointer: Option<String>,
}

impl Default for JsonArrayReader {
    fn default() -> Self {
        JsonArrayReader::new()
    }
}

impl JsonArrayReader {
    /// A reader at the start of a file.
    pub fn new() -> JsonArrayReader {
        JsonArrayReader {
            place: Place::Start,
            element: Vec::new(),
            depth: 0,
            in_string: false,
            escaping: false,
            elements: 0,
            pointer: None,
        }
    }

    /// A reader of the array at `pointer` (a JSON Pointer) in the file, read whole.
    pub fn at(pointer: &str) -> JsonArrayReader {
        JsonArrayReader {
            place: Place::NotAnArray,
            pointer: Some(pointer.to_string()),
            ..JsonArrayReader::new()
        }
    }

    /// Reads the next piece of the file, handing `emit` each element completed in it.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        let mut i = 0;
        while i < bytes.len() {
            match self.place {
                Place::NotAnArray => {
                    self.element.extend_from_slice(&bytes[i..]);
                    return Ok(());
                }
                Place::InElement => {
                    // The element's bytes up to the one that ends it (if it is in this piece).
                    let (taken, ended) = self.scan_element(&bytes[i..]);
                    self.element.extend_from_slice(&bytes[i..i + taken]);
                    i += taken;
                    if ended {
                        self.end_element(emit)?;
                        self.place = Place::AfterElement;
                    }
                    continue;
                }
                _ => {}
            }
            let b = bytes[i];
            if is_whitespace(b) {
                i += 1;
                continue;
            }
            match (self.place, b) {
                (Place::Start, b'[') => self.place = Place::BeforeElement,
                (Place::Start, _) => {
                    self.place = Place::NotAnArray;
                    continue;
                }
                (Place::BeforeElement, b']') if self.elements == 0 => self.place = Place::End,
                (Place::BeforeElement, b']' | b',') => return Err(self.fault("a value")),
                (Place::BeforeElement, _) => {
                    self.place = Place::InElement;
                    continue;
                }
                (Place::AfterElement, b',') => self.place = Place::BeforeElement,
                (Place::AfterElement, b']') => self.place = Place::End,
                (Place::AfterElement, _) => return Err(self.fault("',' or ']'")),
                (Place::End, _) => return Err(self.fault("the end of the file")),
                // Handled before the byte is looked at.
                (Place::InElement | Place::NotAnArray, _) => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// Ends the file: the items it completes, or its fault.
    pub fn finish(
        self,
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        match self.place {
            Place::End => Ok(()),
            Place::NotAnArray => whole_file(&self.element, self.pointer.as_deref(), emit),
            Place::Start => whole_file(b"", None, emit),
            _ => Err(ItemReaderError::new(
                "the object is not valid JSON: the array does not end (EOF while parsing)",
            )),
        }
    }

    /// How many of `bytes` belong to the element being read, and whether the element ends
    /// there (the next byte, a comma or bracket at the element's top level, is not its own).
    fn scan_element(&mut self, bytes: &[u8]) -> (usize, bool) {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                if self.escaping {
                    self.escaping = false;
                } else if b == b'\\' {
                    self.escaping = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' if self.depth > 0 => self.depth -= 1,
                b']' | b',' if self.depth == 0 => return (i, true),
                _ => {}
            }
        }
        (bytes.len(), false)
    }

    /// Parses the element read and hands it out.
    fn end_element(
        &mut self,
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        let text = std::str::from_utf8(&self.element)
            .map_err(|e| ItemReaderError::new(format!("the object is not UTF-8 text: {e}")))?;
        let value = Json::parse(text).map_err(|e| {
            ItemReaderError::new(format!(
                "the object is not valid JSON: element {} of the array: {e}",
                self.elements
            ))
        })?;
        self.element.clear();
        self.depth = 0;
        self.elements += 1;
        emit(value)
    }

    /// The fault of an unexpected byte where `expected` should be.
    fn fault(&self, expected: &str) -> ItemReaderError {
        ItemReaderError::new(format!(
            "the object is not valid JSON: expected {expected} after element {} of the array",
            self.elements
        ))
    }
}

/// JSON's whitespace.
fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// A file read whole: the elements of the array at `pointer` (or of the whole file), or the
/// fault AWS gives.
fn whole_file(
    text: &[u8],
    pointer: Option<&str>,
    emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
) -> Result<(), ItemReaderError> {
    let text = std::str::from_utf8(text)
        .map_err(|e| ItemReaderError::new(format!("the object is not UTF-8 text: {e}")))?;
    let value = Json::parse(text)
        .map_err(|e| ItemReaderError::new(format!("the object is not valid JSON: {e}")))?;
    let value = match pointer {
        None => value,
        Some(pointer) => value
            .to_serde()
            .pointer(pointer)
            .cloned()
            .map(Json::from)
            .ok_or_else(|| {
                ItemReaderError::new(format!(
                    "the ItemsPointer '{pointer}' points to nothing in the object"
                ))
            })?,
    };
    match value {
        Json::Array(items) => items.iter().try_for_each(|item| emit(item.clone())),
        // AWS's words for a JSON file that is not an array.
        _ => Err(ItemReaderError::new(
            "Attempting to map over non-iterable node.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements of `text` fed `piece` bytes at a time, as compact JSON texts.
    fn read(text: &str, piece: usize) -> Result<Vec<String>, ItemReaderError> {
        let mut out = Vec::new();
        let mut emit = |v: Json| {
            out.push(v.to_serde().to_string());
            Ok(())
        };
        let mut reader = JsonArrayReader::new();
        for chunk in text.as_bytes().chunks(piece.max(1)) {
            reader.feed(chunk, &mut emit)?;
        }
        reader.finish(&mut emit)?;
        Ok(out)
    }

    #[test]
    fn every_element_comes_out_whatever_the_pieces() {
        let text = r#" [ 1, "a,]\"b", {"k": [1, {"x": "]"}]}, [[]], null , true,-2.5e3, "é✓" ] "#;
        let whole = read(text, usize::MAX).unwrap();
        assert_eq!(
            whole,
            [
                "1",
                r#""a,]\"b""#,
                r#"{"k":[1,{"x":"]"}]}"#,
                "[[]]",
                "null",
                "true",
                "-2500.0",
                r#""é✓""#
            ]
        );
        for piece in 1..12 {
            assert_eq!(read(text, piece).unwrap(), whole, "pieces of {piece}");
        }
        assert!(read("[]", 1).unwrap().is_empty());
        assert!(read(" [ \n ] \n", 1).unwrap().is_empty());
    }

    #[test]
    fn an_items_pointer_names_the_array_inside_the_file() {
        let text = r#"{"inventory": {"products": {"featured": [1, {"a": "b"}], "n": 2}}}"#;
        let read_at = |pointer: &str| {
            let mut out = Vec::new();
            let mut reader = JsonArrayReader::at(pointer);
            let mut emit = |v: Json| {
                out.push(v.to_serde().to_string());
                Ok(())
            };
            for piece in text.as_bytes().chunks(5) {
                reader.feed(piece, &mut emit)?;
            }
            reader.finish(&mut emit)?;
            Ok::<_, ItemReaderError>(out)
        };
        assert_eq!(
            read_at("/inventory/products/featured").unwrap(),
            ["1", r#"{"a":"b"}"#]
        );
        assert!(read_at("/inventory/none")
            .unwrap_err()
            .cause
            .contains("points to nothing"));
        assert_eq!(
            read_at("/inventory/products/n").unwrap_err().cause,
            "Attempting to map over non-iterable node."
        );
    }

    #[test]
    fn a_file_that_is_not_an_array_fails_as_aws_says() {
        for text in [r#"{"a": [1]}"#, "1", r#""s""#] {
            let e = read(text, 3).unwrap_err();
            assert_eq!(
                e.cause, "Attempting to map over non-iterable node.",
                "{text}"
            );
        }
        for text in ["", "[1, 2", "[1 2]", "[1,]", "[,1]", "[1] x", "[tru]", "{"] {
            let e = read(text, 2).unwrap_err();
            assert!(
                e.cause.starts_with("the object is not valid JSON"),
                "{text}: {e}"
            );
        }
    }
}
