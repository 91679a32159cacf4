//! What each model call cost: a price table shipped as data (overridable from a file), and the
//! [`CostProcessor`] that writes `llmtrace.cost.usd` on every span with token usage and rolls the
//! total up to each local root.
//!
//! A model with no price gets `llmtrace.cost.unknown = true` (and is counted in
//! [`CostStats::unknown_models`]) — never a silent $0.

mod processor;
mod table;

pub use processor::{CostProcessor, CostStats};
pub use table::{Price, PriceError, PriceTable, TokenCounts};
