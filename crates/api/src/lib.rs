//! The AWS Step Functions API (see the crate description).
