//! Tail sampling of traces (work in progress).
