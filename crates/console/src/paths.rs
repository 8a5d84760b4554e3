//! The console's URLs. ARNs go into paths percent-encoded, so any name AWS allows survives.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but the characters an ARN commonly has and a path segment allows.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b':')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.');

/// A path segment holding `text`.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// The page of a state machine (or of a version: its ARN ends in `:N`).
pub fn machine(arn: &str) -> String {
    format!("/state-machines/{}", segment(arn))
}

/// The page of an execution.
pub fn execution(arn: &str) -> String {
    format!("/executions/{}", segment(arn))
}

/// The page of a map run.
pub fn map_run(arn: &str) -> String {
    format!("/map-runs/{}", segment(arn))
}

/// The list of state machines.
pub const HOME: &str = "/";
