//! Limits AWS enforces, with AWS's values as defaults. Each is configurable because users who
//! run their own engine may want more than AWS allows.

/// Limits applied to one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest state input/output, in bytes of compact JSON (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Most events one execution's history may hold (AWS: 25,000).
    pub max_history_events: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: 256 * 1024,
            max_history_events: 25_000,
        }
    }
}
