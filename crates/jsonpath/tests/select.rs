//! Selection: definite values and errors (with AWS's texts), indefinite lists in Jayway order.

use switchback_json::{json, Json};
use switchback_jsonpath::{Path, SelectError};

fn sel(src: &str, doc: &Json) -> Result<Json, SelectError> {
    Path::parse(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .select(doc)
}

fn ok(src: &str, doc: &Json) -> Json {
    sel(src, doc).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn store() -> Json {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "isbn": "0-553", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien", "isbn": "0-395", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })
}

#[test]
fn definite_values() {
    let doc = store();
    assert_eq!(ok("$", &doc), doc);
    assert_eq!(ok("$.expensive", &doc), json!(10));
    assert_eq!(ok("$.store.bicycle.color", &doc), json!("red"));
    assert_eq!(
        ok("$['store']['book'][0].author", &doc),
        json!("Nigel Rees")
    );
    assert_eq!(
        ok("$.store.book[-1].author", &doc),
        json!("J. R. R. Tolkien")
    );
    assert_eq!(ok("$.a", &json!({"a": null})), Json::Null);
    assert_eq!(ok("$.foo-bar", &json!({"foo-bar": 1})), json!(1));
    assert_eq!(ok("$['b c']", &json!({"b c": 2})), json!(2));
}

#[test]
fn select_ref_borrows() {
    let doc = store();
    let p = Path::parse("$.store.bicycle").unwrap();
    let r = p.select_ref(&doc).unwrap();
    assert!(std::ptr::eq(r, &doc["store"]["bicycle"]));
    assert!(p.select_cow(&doc).unwrap().as_ref() == r);
    assert!(matches!(
        p.select_cow(&doc).unwrap(),
        std::borrow::Cow::Borrowed(_)
    ));
    assert_eq!(Path::parse("$.nope").unwrap().select_ref(&doc), None);
    assert_eq!(Path::parse("$..price").unwrap().select_ref(&doc), None);
}

#[test]
fn aws_no_results_text() {
    let err = sel("$.NoSuchInputPath", &json!({"a": 1})).unwrap_err();
    assert_eq!(
        err,
        SelectError::NoResults {
            normalized: "$['NoSuchInputPath']".into()
        }
    );
    assert_eq!(
        format!("Invalid path '$.NoSuchInputPath' : {err}"),
        "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    );
}

#[test]
fn aws_missing_property_text() {
    let err = sel("$.no.such.result.path", &json!({})).unwrap_err();
    assert_eq!(
        err,
        SelectError::MissingProperty {
            normalized: "$['no']['such']['result']['path']".into(),
            prefix: "$['no']".into()
        }
    );
    assert_eq!(err.normalized(), "$['no']['such']['result']['path']");
    assert_eq!(
        format!("Invalid path '$.no.such.result.path' : {err}"),
        "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
    );
    let err = sel("$.a.b.c", &json!({"a": {}})).unwrap_err();
    assert_eq!(err.to_string(), "Missing property in path $['a']['b']");
}

#[test]
fn index_out_of_range_is_no_results_anywhere() {
    let doc = json!({"a": [{"b": 1}]});
    assert_eq!(
        sel("$.a[3].b", &doc).unwrap_err().to_string(),
        "No results for path: $['a'][3]['b']"
    );
    assert_eq!(
        sel("$.a[-2]", &doc).unwrap_err().to_string(),
        "No results for path: $['a'][-2]"
    );
}

#[test]
fn type_mismatches_in_definite_paths() {
    let err = sel("$.a.b", &json!({"a": "str"})).unwrap_err();
    assert!(
        matches!(&err, SelectError::NotAnObject { prefix, property, .. }
        if prefix == "$['a']" && property == "['b']")
    );
    assert!(err.to_string().starts_with(
        "Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.String'"
    ));
    let err = sel("$.a[0]", &json!({"a": null})).unwrap_err();
    assert_eq!(err.to_string(), "The path $['a'] is null");
    let err = sel("$.a[0]", &json!({"a": {"x": 1}})).unwrap_err();
    assert!(matches!(err, SelectError::NotAnArray { .. }));
    let err = sel("$.x", &json!([1])).unwrap_err();
    assert!(matches!(err, SelectError::NotAnObject { prefix, .. } if prefix == "$"));
}

#[test]
fn merged_multi_name_leaf() {
    let doc = json!({"o": {"a": 1, "b": 2, "c": 3}});
    assert_eq!(ok("$.o['c','a','z']", &doc), json!({"c": 3, "a": 1}));
    assert_eq!(ok("$.o['y','z']", &doc), json!({}));
    assert!(sel("$.x['a','b']", &doc).is_err());
    // Not at the end: each name is a match.
    let doc = json!({"a": {"v": 1}, "b": {"v": 2}});
    assert_eq!(ok("$['b','a'].v", &doc), json!([2, 1]));
}

#[test]
fn wildcards_and_unions() {
    let doc = store();
    assert_eq!(
        ok("$.store.book[*].author", &doc),
        json!([
            "Nigel Rees",
            "Evelyn Waugh",
            "Herman Melville",
            "J. R. R. Tolkien"
        ])
    );
    assert_eq!(ok("$.store.bicycle.*", &doc), json!(["red", 19.95]));
    assert_eq!(ok("$.store.book[0,-1,9].price", &doc), json!([8.95, 22.99]));
    assert_eq!(ok("$[*]", &json!({})), json!([]));
    assert_eq!(ok("$.a[*]", &json!({"a": 5})), json!([]));
    // Missing intermediates in an indefinite path: an empty list, not an error (AWS recorded).
    assert_eq!(ok("$.item.items[*]", &json!({})), json!([]));
    assert_eq!(ok("$.items[1:5].itemValue", &json!({})), json!([]));
}

#[test]
fn slices() {
    let doc = json!([0, 1, 2, 3, 4, 5]);
    assert_eq!(ok("$[1:3]", &doc), json!([1, 2]));
    assert_eq!(ok("$[:2]", &doc), json!([0, 1]));
    assert_eq!(ok("$[-2:]", &doc), json!([4, 5]));
    assert_eq!(ok("$[4:]", &doc), json!([4, 5]));
    assert_eq!(ok("$[::2]", &doc), json!([0, 2, 4]));
    assert_eq!(ok("$[1::2]", &doc), json!([1, 3, 5]));
    assert_eq!(ok("$[:-4]", &doc), json!([0, 1]));
    assert_eq!(ok("$[3:1]", &doc), json!([]));
    assert_eq!(ok("$[-100:100]", &doc), doc);
    assert_eq!(ok("$[2:]", &json!({"a": 1})), json!([]));
    let items = json!({"items": [{"itemValue": 1}, {"itemValue": 2}, {"itemValue": 3}]});
    assert_eq!(ok("$.items[1:].itemValue", &items), json!([2, 3]));
    assert_eq!(ok("$.items[:1].itemValue", &items), json!([1]));
}

#[test]
fn recursive_descent_order() {
    let doc = store();
    assert_eq!(
        ok("$..author", &doc),
        json!([
            "Nigel Rees",
            "Evelyn Waugh",
            "Herman Melville",
            "J. R. R. Tolkien"
        ])
    );
    assert_eq!(
        ok("$..price", &doc),
        json!([8.95, 12.99, 8.99, 22.99, 19.95])
    );
    assert_eq!(ok("$.store..price", &doc), ok("$..price", &doc));
    // Pre-order: a node's own match comes before its descendants'.
    let nested = json!({"x": 1, "a": {"x": 2, "b": [{"x": 3}]}, "c": {"x": 4}});
    assert_eq!(ok("$..x", &nested), json!([1, 2, 3, 4]));
    // `..*`: the children of each container, then recurse.
    let doc = json!({"a": {"b": 1}, "c": [2, 3]});
    assert_eq!(ok("$..*", &doc), json!([{"b": 1}, [2, 3], 1, 2, 3]));
    // `..[0]`: the first element of every array.
    let doc = json!({"a": [[1, 2], [3]], "b": {"c": [4]}});
    assert_eq!(ok("$..[0]", &doc), json!([[1, 2], 1, 3, 4]));
    assert_eq!(ok("$..nothing", &doc), json!([]));
    assert_eq!(
        ok("$..['c','b']", &json!({"b": 1, "c": 2})),
        json!([{"c": 2, "b": 1}])
    );
}

#[test]
fn filters() {
    let doc = store();
    assert_eq!(
        ok("$.store.book[?(@.price < 10)].author", &doc),
        json!(["Nigel Rees", "Herman Melville"])
    );
    assert_eq!(
        ok("$.store.book[?(@.isbn)].author", &doc),
        json!(["Herman Melville", "J. R. R. Tolkien"])
    );
    assert_eq!(
        ok("$.store.book[?(!@.isbn)].price", &doc),
        json!([8.95, 12.99])
    );
    assert_eq!(
        ok(
            "$.store.book[?(@.category == 'fiction' && @.price > 20)].author",
            &doc
        ),
        json!(["J. R. R. Tolkien"])
    );
    assert_eq!(
        ok("$.store.book[?(@.price < 9 || @.price > 20)].price", &doc),
        json!([8.95, 8.99, 22.99])
    );
    assert_eq!(
        ok("$.store.book[?(@.price > $.expensive)].price", &doc),
        json!([12.99, 22.99])
    );
    assert_eq!(
        ok("$..book[?(@.author != \"Nigel Rees\")].price", &doc),
        json!([12.99, 8.99, 22.99])
    );
    assert_eq!(ok("$..[?(@.color)].price", &doc), json!([19.95]));
    // AWS recorded.
    let users = json!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
    assert_eq!(
        ok("$.users[?(@.status == 0)]", &users),
        json!([{"year": 1997, "status": 0}])
    );
}

#[test]
fn filter_semantics() {
    let doc = json!([
        {"id": 1, "flag": false, "n": null, "s": "b", "tags": ["x", "y"]},
        {"id": 2, "flag": true, "s": "a", "tags": []},
        {"id": 3, "s": "10", "v": 10.0},
        {"id": 4, "v": 1e1}
    ]);
    let ids = |f: &str| -> Json {
        let got = ok(&format!("$[?({f})].id"), &doc);
        got
    };
    // Existence, not truthiness.
    assert_eq!(ids("@.flag"), json!([1, 2]));
    assert_eq!(ids("@.flag == true"), json!([2]));
    assert_eq!(ids("@.flag == false"), json!([1]));
    assert_eq!(ids("@.n == null"), json!([1]));
    assert_eq!(ids("@.n"), json!([1]));
    // Missing is unequal to everything.
    assert_eq!(ids("@.s != 'a'"), json!([1, 3, 4]));
    // Strings order, numbers by value (10.0 == 10 == 1e1).
    assert_eq!(ids("@.s < 'b'"), json!([2, 3]));
    assert_eq!(ids("@.v == 10"), json!([3, 4]));
    assert_eq!(ids("@.v >= 10"), json!([3, 4]));
    // A number and a string are not ordered.
    assert_eq!(ids("@.s > 1"), json!([]));
    // Jayway: a number on the left equals a numeric string on the right.
    assert_eq!(ids("@.v == '10'"), json!([3, 4]));
    assert_eq!(ids("@.s in ['a', 'c']"), json!([2]));
    assert_eq!(ids("@.s nin ['a', 'c']"), json!([1, 3, 4]));
    assert_eq!(ids("@.tags contains 'y'"), json!([1]));
    assert_eq!(ids("@.tags size 2"), json!([1]));
    assert_eq!(ids("@.tags empty true"), json!([2]));
    assert_eq!(ids("@.tags subsetof ['x','y','z']"), json!([1, 2]));
    assert_eq!(ids("@.tags anyof ['y']"), json!([1]));
    assert_eq!(ids("@.tags noneof ['y']"), json!([2]));
    assert_eq!(ids("!(@.id < 3)"), json!([3, 4]));
    assert_eq!(
        ids("(@.id == 1 || @.id == 2) && @.flag == true"),
        json!([2])
    );
    assert_eq!(ids("@.tags[0] == 'x'"), json!([1]));
    // An unquoted word is a string, as Step Functions reads it (published AWS workflows
    // filter `[?(@.TargetLanguageCode==es)]`); `true`, `false` and `null` stay keywords.
    assert_eq!(ids("@.s==b"), json!([1]));
    assert_eq!(ids("@.s != a && @.id < 3"), json!([1]));
    assert_eq!(ids("@.flag == true"), json!([2]));
    assert_eq!(ids("@.tags[*] == ['x','y']"), json!([1]));
    // A filter on an object tests the object itself.
    assert_eq!(
        ok("$.o[?(@.k == 1)]", &json!({"o": {"k": 1}})),
        json!([{"k": 1}])
    );
    assert_eq!(ok("$[?(@ > 1)]", &json!([1, 2, 3])), json!([2, 3]));
    assert_eq!(ok("$.x[?(@.k)]", &json!({"x": 3})), json!([]));
}

#[test]
fn variable_and_context_roots_select_from_the_given_value() {
    let ctx = json!({"Map": {"Item": {"Value": {"a": 1}, "Index": 2}}});
    assert_eq!(ok("$$.Map.Item.Index", &ctx), json!(2));
    assert_eq!(ok("$$", &ctx), ctx);
    assert_eq!(ok("$myVar[0].f", &json!([{"f": "v"}])), json!("v"));
}
