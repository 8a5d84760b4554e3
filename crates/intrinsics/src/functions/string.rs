//! `States.StringSplit(text, delimiters)`.

use serde_json::Value;

use super::Args;
use crate::EvalError;

/// Splits like Java's `StringTokenizer`, which the recorded AWS cases match exactly: every
/// character of the second argument is a delimiter on its own (`".+,="` splits on any of
/// the four), and empty pieces are dropped (`",,,,"` gives `[]`, `", , ,"` gives
/// `[" ", " "]`). An empty delimiter string leaves the text whole.
pub(super) fn split(args: &Args) -> Result<Value, EvalError> {
    let text = args.string(0)?;
    let delimiters = args.string(1)?;
    let pieces = text
        .split(|c: char| delimiters.contains(c))
        .filter(|piece| !piece.is_empty())
        .map(Value::from)
        .collect();
    Ok(Value::Array(pieces))
}
