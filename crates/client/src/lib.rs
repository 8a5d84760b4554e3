//! A small AWS Step Functions API client (see the crate description).
