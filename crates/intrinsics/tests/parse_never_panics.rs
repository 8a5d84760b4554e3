//! `parse` must return (never panic) on any input, and what it accepts must print back.

use proptest::prelude::*;
use switchback_intrinsics::parse;

proptest! {
    #[test]
    fn arbitrary_strings(src in ".*") {
        let _ = parse(&src);
    }

    #[test]
    fn intrinsic_like_strings(src in r"States\.(Format|Array|MathAdd|Nope)\(([ '$,()\[\]{}\\.a-z0-9\-]|States\.Array\(){0,40}") {
        if let Ok(call) = parse(&src) {
            prop_assert_eq!(parse(&call.to_string()), Ok(call));
        }
    }
}
