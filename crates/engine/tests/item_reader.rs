//! The item reader's decoding of objects into items (`switchback_engine::items`): AWS's CSV
//! rules, JSON and JSON Lines, `MaxItems`, and reading fed in pieces.

use switchback_asl::model::{
    CsvConfig, CsvDelimiter as Delimiter, CsvHeader as Header, ReaderInputType as InputType,
};
use switchback_engine::items::key_order::java_hash_map_order;
use switchback_engine::items::{decode, ItemDecoder, MaxItems};
use switchback_json::Json;

fn csv(header: Header, delimiter: Delimiter) -> InputType {
    InputType::Csv(CsvConfig { header, delimiter })
}

fn first_row() -> InputType {
    csv(Header::FirstRow, Delimiter::Comma)
}

/// The items as compact JSON texts, keys in the order the items hold them.
fn texts(items: &[Json]) -> Vec<String> {
    items.iter().map(|i| i.to_serde().to_string()).collect()
}

fn read(input_type: &InputType, text: &str) -> Vec<String> {
    texts(&decode(input_type, MaxItems::All, text.as_bytes()).expect("decodes"))
}

fn failure(input_type: &InputType, text: &str) -> String {
    decode(input_type, MaxItems::All, text.as_bytes())
        .expect_err("fails")
        .cause
}

#[test]
fn keys_come_in_java_hash_map_order() {
    // Each expected order was printed by Java 17's `HashMap.keySet()` after putting the keys in
    // the order given.
    let cases: &[(&[&str], &[&str])] = &[
        (&["Col1", "Col2"], &["Col1", "Col2"]),
        (
            &["id", "name", "price", "qty"],
            &["price", "qty", "name", "id"],
        ),
        (&["b", "a", "c"], &["a", "b", "c"]),
        (
            &["zeta", "alpha", "mid", "x", "", "Key With Space"],
            &["zeta", "", "alpha", "x", "mid", "Key With Space"],
        ),
        (
            &[
                "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12",
                "c13", "c14", "c15",
            ],
            &[
                "c11", "c10", "c13", "c12", "c15", "c14", "c0", "c1", "c2", "c3", "c4", "c5", "c6",
                "c7", "c8", "c9",
            ],
        ),
        (&["é", "ü", "日本"], &["é", "日本", "ü"]),
    ];
    for (keys, expected) in cases {
        let order: Vec<&str> = java_hash_map_order(keys)
            .into_iter()
            .map(|i| keys[i])
            .collect();
        assert_eq!(&order, expected, "keys {keys:?}");
    }
}

#[test]
fn a_first_row_header_names_the_columns_of_every_other_row() {
    assert_eq!(
        read(&first_row(), "id,name,price,qty\n1,pen,2.5,10\n2,ink,7,1\n"),
        [
            r#"{"price":"2.5","qty":"10","name":"pen","id":"1"}"#,
            r#"{"price":"7","qty":"1","name":"ink","id":"2"}"#,
        ]
    );
}

#[test]
fn given_headers_make_the_first_row_an_item() {
    let given = csv(
        Header::Given(vec!["a".into(), "b".into()]),
        Delimiter::Comma,
    );
    assert_eq!(
        read(&given, "1,2\n3,4"),
        [r#"{"a":"1","b":"2"}"#, r#"{"a":"3","b":"4"}"#]
    );
}

#[test]
fn short_rows_get_empty_strings_and_long_rows_lose_their_extra_fields() {
    assert_eq!(
        read(&first_row(), "a,b,c\nx\n1,2,3,4,5\n,,\n  \n"),
        [
            r#"{"a":"x","b":"","c":""}"#,
            r#"{"a":"1","b":"2","c":"3"}"#,
            r#"{"a":"","b":"","c":""}"#,
            r#"{"a":"  ","b":"","c":""}"#,
        ]
    );
    // An empty header name is a key like any other.
    assert_eq!(read(&first_row(), "b,\n1,2\n"), [r#"{"":"2","b":"1"}"#]);
}

#[test]
fn quotes_hold_delimiters_newlines_and_doubled_quotes() {
    assert_eq!(
        read(
            &first_row(),
            "k,v\n\"a, b\",\"line one\nline two\"\n\"say \"\"hi\"\"\",\"{\"\"k\"\":1}\"\n"
        ),
        [
            r#"{"v":"line one\nline two","k":"a, b"}"#,
            r#"{"v":"{\"k\":1}","k":"say \"hi\""}"#,
        ]
    );
}

#[test]
fn backslashes_escape_backslashes_quotes_and_the_delimiter_and_are_dropped_elsewhere() {
    assert_eq!(
        read(
            &first_row(),
            "path,size\nC:\\\\Program Files\\\\app.exe,65\na\\,b,\\x\\\"y\n"
        ),
        [
            r#"{"path":"C:\\Program Files\\app.exe","size":"65"}"#,
            r#"{"path":"a,b","size":"x\"y"}"#,
        ]
    );
}

#[test]
fn every_delimiter_separates_fields() {
    for (delimiter, text) in [
        (Delimiter::Comma, "a,b\n1,2\n"),
        (Delimiter::Pipe, "a|b\n1|2\n"),
        (Delimiter::Semicolon, "a;b\n1;2\n"),
        (Delimiter::Space, "a b\n1 2\n"),
        (Delimiter::Tab, "a\tb\n1\t2\n"),
    ] {
        assert_eq!(
            read(&csv(Header::FirstRow, delimiter), text),
            [r#"{"a":"1","b":"2"}"#],
            "{delimiter:?}"
        );
    }
    // Another delimiter's character is plain text.
    assert_eq!(
        read(&csv(Header::FirstRow, Delimiter::Pipe), "a|b\n1,2|3\n"),
        [r#"{"a":"1,2","b":"3"}"#]
    );
    assert_eq!(Delimiter::from_name("TAB"), Some(Delimiter::Tab));
    assert_eq!(Delimiter::from_name("tab"), None);
}

#[test]
fn crlf_line_ends_and_empty_lines_are_no_rows() {
    assert_eq!(
        read(&first_row(), "a,b\r\n\r\n1,2\r\n\n3,4"),
        [r#"{"a":"1","b":"2"}"#, r#"{"a":"3","b":"4"}"#]
    );
    // A carriage return inside a row is text.
    assert_eq!(read(&first_row(), "a\n1\r2\n"), [r#"{"a":"1\r2"}"#]);
    // A file of only a header, or of nothing, has no items.
    assert!(read(&first_row(), "a,b\n").is_empty());
    assert!(read(&first_row(), "").is_empty());
}

#[test]
fn manifests_are_not_decoded_as_items_and_parquet_is_not_read_yet() {
    assert!(failure(&InputType::Manifest, "{}").contains("lists the objects to read"));
    assert!(failure(&InputType::Parquet, "PAR1").contains("PARQUET is not supported"));
}

#[test]
fn a_repeated_header_name_keeps_its_last_columns_value() {
    assert_eq!(
        read(&first_row(), "a,b,a\n1,2,3\n"),
        [r#"{"a":"3","b":"2"}"#]
    );
}

#[test]
fn json_files_are_arrays_of_items() {
    assert_eq!(
        read(&InputType::Json, r#"[{"a":1}, "two", [3], null]"#),
        [r#"{"a":1}"#, r#""two""#, "[3]", "null"]
    );
    // AWS's cause for a JSON file that is not an array.
    assert_eq!(
        failure(&InputType::Json, r#"{"Hello": "world"}"#),
        "Attempting to map over non-iterable node."
    );
    assert!(failure(&InputType::Json, "[1,").contains("not valid JSON"));
}

#[test]
fn json_lines_are_one_item_a_line() {
    assert_eq!(
        read(
            &InputType::JsonLines,
            "{\"a\":1}\n\n[2]\r\n\"three\"\n   \n4"
        ),
        [r#"{"a":1}"#, "[2]", r#""three""#, "4"]
    );
    assert!(failure(&InputType::JsonLines, "{\"a\":1}\n{oops}\n").contains("not valid JSON"));
}

#[test]
fn max_items_reads_that_many_and_zero_reads_all() {
    let text = b"a\n1\n2\n3\n4\n";
    let read_max = |max: MaxItems| decode(&first_row(), max, text).expect("decodes").len();
    assert_eq!(read_max(MaxItems::All), 4);
    assert_eq!(read_max(MaxItems::AtMost(2)), 2);
    assert_eq!(read_max(MaxItems::AtMost(100_000_000)), 4);
    assert_eq!(
        decode(&InputType::Json, MaxItems::AtMost(1), b"[1,2]")
            .expect("decodes")
            .len(),
        1
    );

    let max = |text: &str| MaxItems::from_value(&Json::parse(text).expect("JSON"));
    assert_eq!(max("0"), Ok(MaxItems::All));
    assert_eq!(max("2"), Ok(MaxItems::AtMost(2)));
    // AWS's cause for a negative MaxItems(Path).
    assert_eq!(
        max("-1").expect_err("negative").cause,
        "field MaxItems must be positive"
    );
    assert!(max("1.5").is_err());
    assert!(max("\"2\"").is_err());
}

#[test]
fn a_full_decoder_reads_no_further() {
    let mut decoder =
        ItemDecoder::new(&InputType::JsonLines, MaxItems::AtMost(1)).expect("decoder");
    let mut items = Vec::new();
    decoder
        .feed(b"1\n2\n", &mut |i| items.push(i))
        .expect("reads");
    assert!(decoder.is_full());
    // Past the limit, even a line that is not JSON is not read.
    decoder
        .feed(b"{oops}\n", &mut |i| items.push(i))
        .expect("not read");
    decoder.finish(&mut |i| items.push(i)).expect("ends");
    assert_eq!(texts(&items), ["1"]);
}

#[test]
fn objects_fed_in_pieces_of_any_size_give_the_same_items() {
    let cases = [
        (
            first_row(),
            "k,v\r\n\"a, b\",\"x\"\"y\nz\"\r\nC:\\\\dir,\\,\n\nlast,row",
        ),
        (InputType::JsonLines, "{\"a\":[1,2]}\r\n\n\"é\"\n3"),
        (InputType::Json, "[{\"a\":1},\"é\",3]"),
    ];
    for (input_type, text) in cases {
        let whole = read(&input_type, text);
        assert!(!whole.is_empty());
        let bytes = text.as_bytes();
        for piece in 1..=bytes.len() {
            let mut decoder = ItemDecoder::new(&input_type, MaxItems::All).expect("decoder");
            let mut items = Vec::new();
            for chunk in bytes.chunks(piece) {
                decoder.feed(chunk, &mut |i| items.push(i)).expect("reads");
            }
            decoder.finish(&mut |i| items.push(i)).expect("ends");
            assert_eq!(texts(&items), whole, "{input_type:?} in pieces of {piece}");
        }
    }
}
