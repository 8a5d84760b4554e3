//! `States.StringSplit(text, delimiters)`.

use switchback_json::Json;

use super::Args;
use crate::EvalError;

/// Splits like Java's `StringTokenizer`, which the recorded AWS cases match exactly: every
/// character of the second argument is a delimiter on its own (`".+,="` splits on any of
/// the four), and empty pieces are dropped (`",,,,"` gives `[]`, `", , ,"` gives
/// `[" ", " "]`). An empty delimiter string leaves the text whole.
pub(super) fn split(args: &Args) -> Result<Json, EvalError> {
    let text = args.string(0)?;
    let delimiters = args.string(1)?;
    let pieces = text
        .split(|c: char| delimiters.contains(c))
        .filter(|piece| !piece.is_empty())
        .map(Json::from)
        .collect();
    Ok(Json::Array(pieces))
}
