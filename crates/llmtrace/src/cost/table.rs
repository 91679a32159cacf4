//! The price table: per-model prices (shipped data or a file), aliases, and the cost of a call.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// Prices of one model in US dollars per million tokens.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// Prompt tokens.
    pub input: f64,
    /// Completion tokens.
    pub output: f64,
    /// Prompt tokens read from the provider's cache (default: `input`).
    #[serde(default)]
    pub cached_input: Option<f64>,
    /// Prompt tokens written to the provider's cache (default: `input`).
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Reasoning tokens (default: `output`).
    #[serde(default)]
    pub reasoning: Option<f64>,
    /// Other names of the model.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: Option<String>,
    /// When they were transcribed.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// Token counts of one call, in the conventions' sense: `input` includes cached and
/// cache-written prompt tokens, `output` includes reasoning tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    /// Prompt tokens.
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
    /// Prompt tokens read from cache.
    pub cache_read: u64,
    /// Prompt tokens written to cache.
    pub cache_creation: u64,
    /// Reasoning tokens.
    pub reasoning: u64,
}

impl Price {
    /// The cost of `tokens` as (input part, output part) in dollars.
    pub fn cost(&self, tokens: TokenCounts) -> (f64, f64) {
        const PER: f64 = 1_000_000.0;
        let uncached = tokens
            .input
            .saturating_sub(tokens.cache_read)
            .saturating_sub(tokens.cache_creation);
        let input = uncached as f64 * self.input
            + tokens.cache_read as f64 * self.cached_input.unwrap_or(self.input)
            + tokens.cache_creation as f64 * self.cache_write.unwrap_or(self.input);
        let plain_output = tokens.output.saturating_sub(tokens.reasoning);
        let output = plain_output as f64 * self.output
            + tokens.reasoning.min(tokens.output) as f64 * self.reasoning.unwrap_or(self.output);
        (input / PER, output / PER)
    }
}

/// Why a price file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// The file could not be read.
    #[error("cannot read the price file {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid price table.
    #[error("the price table {origin} is not valid: {message} (expected `models: {{name: {{input: 2.5, output: 10.0}}}}`, prices in USD per 1M tokens)")]
    Parse {
        /// The file, or `built-in`.
        origin: String,
        /// The parser's message, naming the key.
        message: String,
    },
    /// A price is negative or not a number.
    #[error("the price of {model} in {origin} must be a non-negative number")]
    Invalid {
        /// The model.
        model: String,
        /// The file, or `built-in`.
        origin: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceFile {
    models: HashMap<String, Price>,
}

/// Model name → price, with alias and version resolution.
#[derive(Debug, Clone, Default)]
pub struct PriceTable {
    prices: HashMap<String, Price>,
    aliases: HashMap<String, String>,
}

const BUILT_IN: &str = include_str!("../../data/prices.yaml");

impl PriceTable {
    /// The table shipped with llmtrace (`data/prices.yaml`; each entry names its source and date).
    pub fn built_in() -> Self {
        // The shipped file is checked by a unit test; an unparsable one would yield an empty
        // table (every cost unknown) rather than a panic.
        PriceTable::from_yaml(BUILT_IN, "built-in").unwrap_or_default()
    }

    /// An empty table.
    pub fn empty() -> Self {
        PriceTable::default()
    }

    /// Parses a table in the shipped format.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, PriceError> {
        let file: PriceFile = serde_norway::from_str(text).map_err(|e| PriceError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut table = PriceTable::default();
        for (model, price) in file.models {
            let fields = [
                Some(price.input),
                Some(price.output),
                price.cached_input,
                price.cache_write,
                price.reasoning,
            ];
            if fields.iter().flatten().any(|p| !p.is_finite() || *p < 0.0) {
                return Err(PriceError::Invalid {
                    model,
                    origin: origin.to_owned(),
                });
            }
            table.insert(model, price);
        }
        Ok(table)
    }

    /// Reads a table from a file.
    pub fn from_file(path: &Path) -> Result<Self, PriceError> {
        let text = std::fs::read_to_string(path).map_err(|source| PriceError::Read {
            path: path.to_owned(),
            source,
        })?;
        PriceTable::from_yaml(&text, &path.display().to_string())
    }

    /// Adds or replaces one model's price.
    pub fn insert(&mut self, model: impl Into<String>, price: Price) {
        let model = model.into().to_ascii_lowercase();
        for alias in &price.aliases {
            self.aliases
                .insert(alias.to_ascii_lowercase(), model.clone());
        }
        self.prices.insert(model, price);
    }

    /// `other`'s entries laid over this table's.
    pub fn merged(mut self, other: PriceTable) -> Self {
        self.prices.extend(other.prices);
        self.aliases.extend(other.aliases);
        self
    }

    /// Number of models priced.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// Whether no model is priced.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// The price of `model`, resolving case, provider prefixes (`openai/gpt-4o`), aliases and
    /// dated versions (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`, `…@20241022`,
    /// `…-latest`).
    pub fn price(&self, model: &str) -> Option<&Price> {
        // Most spans name a model exactly as the table does: no allocation for those.
        if let Some(price) = self.prices.get(model) {
            return Some(price);
        }
        let lower = model.trim().to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let mut candidate = name;
        loop {
            if let Some(price) = self.prices.get(candidate) {
                return Some(price);
            }
            if let Some(target) = self.aliases.get(candidate) {
                return self.prices.get(target);
            }
            match strip_version(candidate) {
                Some(shorter) => candidate = shorter,
                None => return None,
            }
        }
    }
}

/// Removes one trailing version marker: `-YYYY-MM-DD`, `-YYYYMMDD`, `@…`, `-latest`,
/// `-vN` / `:N` suffixes.
fn strip_version(name: &str) -> Option<&str> {
    if let Some((head, _)) = name.rsplit_once('@') {
        return Some(head);
    }
    if let Some(head) = name.strip_suffix("-latest") {
        return Some(head);
    }
    let bytes = name.as_bytes();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // -YYYY-MM-DD
    if bytes.len() > 11 {
        let (head, tail) = name.split_at(name.len() - 11);
        let parts: Vec<&str> = tail.split('-').collect();
        if parts.len() == 4
            && parts[0].is_empty()
            && parts[1].len() == 4
            && parts[2].len() == 2
            && parts[3].len() == 2
            && parts[1..].iter().all(|p| all_digits(p))
        {
            return Some(head);
        }
    }
    // -YYYYMMDD, -vN, :N
    if let Some((head, tail)) = name.rsplit_once(['-', ':']) {
        let versionish = (tail.len() == 8 && all_digits(tail))
            || (tail.len() > 1 && tail.starts_with('v') && all_digits(&tail[1..]))
            || (name[head.len()..].starts_with(':') && all_digits(tail));
        if versionish && !head.is_empty() {
            return Some(head);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_names_sources() {
        let table = PriceTable::from_yaml(BUILT_IN, "built-in").expect("shipped table parses");
        assert!(table.len() >= 20);
        for (model, price) in &table.prices {
            assert!(price.source.is_some(), "{model} has no source");
            assert!(price.as_of.is_some(), "{model} has no date");
        }
    }

    #[test]
    fn versions_prefixes_and_aliases_resolve() {
        let table = PriceTable::built_in();
        let gpt4o = table.price("gpt-4o").expect("gpt-4o");
        for name in [
            "gpt-4o-2024-08-06",
            "GPT-4o",
            "openai/gpt-4o",
            "chatgpt-4o-latest",
        ] {
            assert_eq!(table.price(name), Some(gpt4o), "{name}");
        }
        let sonnet = table.price("claude-sonnet-4").expect("sonnet");
        assert_eq!(table.price("claude-sonnet-4-20250514"), Some(sonnet));
        assert_eq!(
            table.price("claude-3-5-sonnet@20241022").map(|p| p.input),
            Some(3.0)
        );
        assert_eq!(
            table.price("gpt-4o-mini-2024-07-18").map(|p| p.input),
            Some(0.15)
        );
        assert!(
            table.price("gpt-4").is_none(),
            "no prefix matching across models"
        );
        assert!(table.price("my-finetune").is_none());
    }

    #[test]
    fn bad_files_are_typed_errors() {
        assert!(matches!(
            PriceTable::from_yaml("models: {m: {input: -1, output: 1}}", "x.yaml"),
            Err(PriceError::Invalid { .. })
        ));
        let err = PriceTable::from_yaml("models: {m: {input: 1, outptu: 1}}", "x.yaml")
            .expect_err("unknown key");
        assert!(err.to_string().contains("outptu"), "{err}");
    }
}
