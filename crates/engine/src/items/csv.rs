//! Text-delimited files (`InputType: CSV`) read as AWS reads them, a piece at a time.
//!
//! Why not the `csv` crate: AWS's rules are not RFC 4180's. Besides double quotes (which may
//! hold delimiters and newlines, and `""` for a quote), AWS takes backslash escapes: `\\`, `\"`
//! and a backslash before the delimiter stand for that character, and a backslash before any
//! other character is dropped. A row with fewer fields than the header gets empty strings for
//! the rest, one with more has the extra ones skipped, every field is a string, and each item's
//! keys come in a Java `HashMap`'s order ([`super::key_order`]). These are the rules of AWS's
//! "How Step Functions parses input CSV files", and what AWS answered when recorded.
//!
//! The reader is fed the object's bytes in pieces of any size ([`CsvReader::feed`]) and hands
//! out each item once its row is complete, so an object of any size is never held whole: what
//! it holds is the row being read.
//!
//! An empty line (nothing between two newlines, as after the last row) is no row.

use switchback_asl::model::{CsvConfig, CsvHeader};
use switchback_json::{Json, Map, Object};

use super::key_order::java_hash_map_order;
use super::ItemReaderError;

/// Where the tokenizer is within a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside a field not enclosed in quotes.
    Plain,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a second quote is a literal one, anything
    /// else ends the quoted part.
    QuoteInQuoted,
}

/// Reads a CSV file fed in pieces into items (see the module doc).
#[derive(Debug)]
pub struct CsvReader {
    delimiter: u8,
    /// The column names, and the order their item's keys come in; `None` until the first row
    /// gives them (`FIRST_ROW`).
    columns: Option<Columns>,
    state: State,
    /// The previous byte was a backslash (outside or inside quotes).
    escaping: bool,
    /// The previous byte was a carriage return outside quotes: with a newline after it, both
    /// end the row.
    carriage_return: bool,
    /// The field being read.
    field: Vec<u8>,
    /// The fields of the row being read.
    fields: Vec<String>,
    /// Whether the row being read has any byte yet (an empty line is no row).
    row_started: bool,
}

/// A header's names, with the order of their keys in each item.
#[derive(Debug)]
struct Columns {
    /// The names, in the header's order.
    names: Vec<String>,
    /// For each key of an item, in the order it comes: the column whose value it takes (the
    /// last column of that name, as a `HashMap` keeps the last value put).
    keys: Vec<(usize, usize)>,
}

impl Columns {
    fn new(names: Vec<String>) -> Columns {
        // Distinct names in first-seen order, each with the last column that bears it.
        let mut distinct: Vec<&str> = Vec::new();
        let mut last_column: Vec<usize> = Vec::new();
        for (column, name) in names.iter().enumerate() {
            match distinct.iter().position(|d| *d == name) {
                Some(i) => last_column[i] = column,
                None => {
                    distinct.push(name);
                    last_column.push(column);
                }
            }
        }
        let keys = java_hash_map_order(&distinct)
            .into_iter()
            .map(|i| (last_column[i], i))
            .collect();
        Columns { names, keys }
    }

    /// The item of one row's fields: missing fields are empty strings, extra ones skipped.
    fn item(&self, fields: &[String]) -> Json {
        let mut map = Map::with_capacity_and_hasher(self.keys.len(), Default::default());
        for &(column, _) in &self.keys {
            let value = fields.get(column).map(String::as_str).unwrap_or("");
            map.insert(self.names[column].as_str().into(), Json::from(value));
        }
        Json::Object(Object::from(map))
    }
}

impl CsvReader {
    /// A reader for a file read as `config` says.
    pub fn new(config: &CsvConfig) -> CsvReader {
        CsvReader {
            delimiter: config.delimiter.byte(),
            columns: match &config.header {
                CsvHeader::FirstRow => None,
                CsvHeader::Given(names) => Some(Columns::new(names.clone())),
            },
            state: State::FieldStart,
            escaping: false,
            carriage_return: false,
            field: Vec::new(),
            fields: Vec::new(),
            row_started: false,
        }
    }

    /// Reads the next piece of the file, handing `emit` each item completed in it.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        for &b in bytes {
            self.byte(b, emit)?;
        }
        Ok(())
    }

    /// Ends the file: a last row without a newline after it is an item too.
    pub fn finish(
        mut self,
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        if self.carriage_return {
            self.carriage_return = false;
            self.field.push(b'\r');
            self.row_started = true;
        }
        if self.escaping {
            // A backslash at the very end escapes nothing and is dropped.
            self.escaping = false;
        }
        if self.row_started {
            self.end_row(emit)?;
        }
        Ok(())
    }

    fn byte(
        &mut self,
        b: u8,
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        if self.carriage_return {
            self.carriage_return = false;
            if b == b'\n' {
                return self.end_row(emit);
            }
            self.field.push(b'\r');
            self.row_started = true;
        }
        if self.escaping {
            self.escaping = false;
            if b == b'\\' || b == b'"' || b == self.delimiter {
                self.field.push(b);
                if self.state == State::FieldStart {
                    self.state = State::Plain;
                }
                return Ok(());
            }
            // A backslash before any other byte is dropped; the byte is read as usual.
        }
        let line_end =
            matches!(self.state, State::FieldStart | State::Plain) && (b == b'\n' || b == b'\r');
        if !line_end {
            self.row_started = true;
        }
        match self.state {
            State::FieldStart | State::Plain => {
                if b == b'"' && self.state == State::FieldStart {
                    self.state = State::Quoted;
                } else if b == self.delimiter {
                    self.end_field();
                } else if b == b'\n' {
                    self.end_row(emit)?;
                } else if b == b'\r' {
                    self.carriage_return = true;
                } else if b == b'\\' {
                    self.escaping = true;
                } else {
                    self.field.push(b);
                    self.state = State::Plain;
                }
            }
            State::Quoted => match b {
                b'"' => self.state = State::QuoteInQuoted,
                b'\\' => self.escaping = true,
                _ => self.field.push(b),
            },
            State::QuoteInQuoted => {
                if b == b'"' {
                    self.field.push(b'"');
                    self.state = State::Quoted;
                } else {
                    // The quoted part is over; what follows is read as in a plain field.
                    self.state = State::Plain;
                    return self.byte(b, emit);
                }
            }
        }
        Ok(())
    }

    fn end_field(&mut self) {
        let field = String::from_utf8_lossy(&self.field).into_owned();
        self.field.clear();
        self.fields.push(field);
        self.state = State::FieldStart;
    }

    fn end_row(
        &mut self,
        emit: &mut dyn FnMut(Json) -> Result<(), ItemReaderError>,
    ) -> Result<(), ItemReaderError> {
        if !self.row_started {
            // An empty line.
            return Ok(());
        }
        self.end_field();
        self.row_started = false;
        let fields = std::mem::take(&mut self.fields);
        match &self.columns {
            Some(columns) => emit(columns.item(&fields)),
            None => {
                self.columns = Some(Columns::new(fields));
                Ok(())
            }
        }
    }
}
