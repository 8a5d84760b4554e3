//! Parsing: what is accepted, how it is segmented, definiteness and normalised forms.

use switchback_jsonpath::{Path, Root, Segment};

fn segs(src: &str) -> Vec<Segment> {
    Path::parse(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .segments()
        .to_vec()
}

fn field(s: &str) -> Segment {
    Segment::Field(s.to_string())
}

#[test]
fn roots() {
    assert_eq!(Path::parse("$").unwrap().root(), &Root::Input);
    assert_eq!(Path::parse("$$").unwrap().root(), &Root::Context);
    let p = Path::parse("$$.Execution.Input").unwrap();
    assert_eq!(p.root(), &Root::Context);
    assert_eq!(p.segments(), &[field("Execution"), field("Input")]);
    let p = Path::parse("$myVar.field[0]").unwrap();
    assert_eq!(p.root(), &Root::Variable("myVar".into()));
    assert_eq!(p.segments(), &[field("field"), Segment::Index(0)]);
    assert_eq!(
        Path::parse("$constant_obj_2").unwrap().root(),
        &Root::Variable("constant_obj_2".into())
    );
    assert!(Path::parse("$").unwrap().is_root());
    assert!(Path::parse("$x").unwrap().is_root());
    assert!(!Path::parse("$.a").unwrap().is_root());
}

#[test]
fn names_and_indexes() {
    assert_eq!(segs("$.a.b"), [field("a"), field("b")]);
    assert_eq!(segs("$['a']['b c']"), [field("a"), field("b c")]);
    assert_eq!(segs("$[\"a\"]"), [field("a")]);
    assert_eq!(segs("$.foo-bar.ünï"), [field("foo-bar"), field("ünï")]);
    assert_eq!(segs("$.a[0]"), [field("a"), Segment::Index(0)]);
    assert_eq!(segs("$.a[-1]"), [field("a"), Segment::Index(-1)]);
    assert_eq!(segs("$[ 2 ]"), [Segment::Index(2)]);
    assert_eq!(segs("$.a.[0]"), [field("a"), Segment::Index(0)]);
    // A name glued to a bracket is read as a further name, as Jayway does.
    assert_eq!(segs("$['a']b"), [field("a"), field("b")]);
    // Jayway trims the path.
    assert_eq!(segs("  $.a "), [field("a")]);
}

#[test]
fn backslash_stays_in_bracket_names() {
    // Recorded on AWS: $['Test\""Name"'] selects the key  Test\""Name"  (backslash kept).
    assert_eq!(segs(r#"$['Test\""Name"']"#), [field(r#"Test\""Name""#)]);
    assert_eq!(segs(r"$['it\'s']"), [field(r"it\'s")]);
}

#[test]
fn indefinite_segments() {
    assert_eq!(segs("$.a[*]"), [field("a"), Segment::Wildcard]);
    assert_eq!(segs("$.*"), [Segment::Wildcard]);
    assert_eq!(segs("$..x"), [Segment::Descendant, field("x")]);
    assert_eq!(segs("$..[0]"), [Segment::Descendant, Segment::Index(0)]);
    assert_eq!(segs("$..*"), [Segment::Descendant, Segment::Wildcard]);
    assert_eq!(segs("$[0,1]"), [Segment::Indexes(vec![0, 1])]);
    assert_eq!(
        segs("$['a', 'b']"),
        [Segment::Fields(vec!["a".into(), "b".into()])]
    );
    let slice = |start, end, step| Segment::Slice { start, end, step };
    assert_eq!(segs("$[1:3]"), [slice(Some(1), Some(3), None)]);
    assert_eq!(segs("$[:2]"), [slice(None, Some(2), None)]);
    assert_eq!(segs("$[-2:]"), [slice(Some(-2), None, None)]);
    assert_eq!(segs("$[::2]"), [slice(None, None, Some(2))]);
    for f in [
        "$[?(@.price < 10)]",
        "$[?(@.x == 'str')]",
        "$[?(@.flag)]",
        "$[?(@.a && @.b > 1)]",
        "$[?(@.a || !@.b)]",
        "$[?(!(@.a == 1))]",
        "$[?(@.a != null)]",
        "$[?(@.a == true)]",
        "$[?(@.a >= -1.5e2)]",
        "$[?(@['a b'] <= \"x\")]",
        "$[?(@.a in ['x', 'y'])]",
        "$[?(@.a nin [1,2])]",
        "$[?(@.tags contains 'x')]",
        "$[?(@.a size 2)]",
        "$[?(@.a empty false)]",
        "$[?(@.a == $.limit)]",
        "$[?(@ == 1)]",
        "$[?( @.a==1 )]",
        "$[?(@.a[0].b == {\"k\": 1})]",
        "$.users[?(@.status == 0)]",
    ] {
        let p = Path::parse(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!p.is_definite(), "{f}");
        assert!(
            matches!(p.segments().last(), Some(Segment::Filter(_))),
            "{f}"
        );
    }
}

#[test]
fn rejects() {
    for bad in [
        "",
        "a.b",
        "$.",
        "$..",
        "$...a",
        "$.a.",
        "$a b",
        "$.a b",
        "$[",
        "$['a'",
        "$['a]",
        "$[a]",
        "$[]",
        "$[:]",
        "$[1:2:0]",
        "$[1:2:-1]",
        "$[1:2:3:4]",
        "$[x:1]",
        "$[?(@.a ==)]",
        "$[?(@.a == 1]",
        "$[?(1)]",
        "$[?(@.a =~ /x/)]",
        "$.length()",
        "$$x",
        "$[*",
        "$[?(@.a)",
        "$ .a",
        "@.a",
    ] {
        assert!(Path::parse(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn definiteness() {
    for (src, definite, reference) in [
        ("$", true, true),
        ("$.a.b", true, true),
        ("$['a'][0][-1]", true, true),
        ("$$.Map.Item.Value", true, true),
        ("$x.y", true, true),
        // Jayway: a multi-name union as the last step merges into one object.
        ("$.a['b','c']", true, false),
        ("$['b','c'].d", false, false),
        ("$[0,1]", false, false),
        ("$[*]", false, false),
        ("$.a[1:]", false, false),
        ("$..a", false, false),
        ("$[?(@.a)]", false, false),
    ] {
        let p = Path::parse(src).unwrap();
        assert_eq!(p.is_definite(), definite, "{src}");
        assert_eq!(p.is_reference(), reference, "{src}");
    }
}

#[test]
fn normalized_forms() {
    for (src, norm) in [
        ("$", "$"),
        ("$.NoSuchInputPath", "$['NoSuchInputPath']"),
        ("$.a[0]", "$['a'][0]"),
        ("$['b c'][-1]", "$['b c'][-1]"),
        ("$..x", "$..['x']"),
        ("$.a[*].b", "$['a'][*]['b']"),
        ("$.*", "$[*]"),
        ("$[0, 2]", "$[0,2]"),
        ("$['a','b']", "$['a','b']"),
        ("$[1:3]", "$[1:3]"),
        ("$[:3]", "$[:3]"),
        ("$[-2:]", "$[-2:]"),
        ("$[::2]", "$[::2]"),
        ("$.a[?(@.b)]", "$['a'][?]"),
        ("$$.Execution.Id", "$['Execution']['Id']"),
        ("$v.x", "$['x']"),
    ] {
        assert_eq!(Path::parse(src).unwrap().normalized(), norm, "{src}");
    }
}

#[test]
fn as_str_keeps_the_source() {
    assert_eq!(Path::parse("$.a['b']").unwrap().as_str(), "$.a['b']");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("$[?({}@.a{})]", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Path::parse(&deep).is_err());
    let bangs = format!("$[?({}@.a)]", "!".repeat(10_000));
    assert!(Path::parse(&bangs).is_err());
}
