//! Redaction of span data (work in progress).
