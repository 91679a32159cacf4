//! The collector's `attributes` and `resource` processors in-process: a list of actions
//! (`insert`, `update`, `upsert`, `delete`, `hash`) applied in order to a span's attributes
//! ([`AttributesProcessor`]) or once to the resource's.
//!
//! Semantics as the collector's `attraction` package: `insert` sets a key only when it is
//! absent, `update` only when it is present, `upsert` either way; the value is `value` or the
//! value of `from_attribute` (nothing happens when that attribute is absent). `delete` and
//! `hash` act on `key` or on every key matching `pattern` (a regex); `hash` replaces the value
//! by the lower-case hex SHA-256 of its bytes (a string's UTF-8, an int's or a double's 8
//! little-endian bytes, a bool's one byte 0/1; other types become `""`).
//!
//! Inside: `actions.rs` holds the actions and applies them, `processor.rs` the span processor.

mod actions;
mod processor;

pub(crate) use actions::{Action, ActionKind, Actions, Source, Target};
pub(crate) use processor::AttributesProcessor;
