//! Durable storage for Switchback (see the crate description).
