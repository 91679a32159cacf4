//! The hashes that replace masks: HMAC-SHA256 keyed with `LLMTRACE_REDACTION_HASH_KEY`, or
//! plain SHA-256.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::KEY_MASK;
use crate::redact::config::{HashFunction, RedactionConfig};
use crate::redact::RedactionError;

/// Turns a value into `<function>:<first 128 bits, hex>`, replacing its mask.
#[derive(Debug, Clone)]
pub(super) enum Hasher {
    Hmac(Vec<u8>),
    Sha256,
}

impl Hasher {
    pub(super) fn hash(&self, s: &str) -> String {
        match self {
            Hasher::Hmac(key) => match Hmac::<Sha256>::new_from_slice(key) {
                Ok(mut mac) => {
                    mac.update(s.as_bytes());
                    let tag = mac.finalize().into_bytes();
                    format!("hmac-sha256:{}", hex::encode(&tag[..16]))
                }
                // HMAC accepts keys of any length; fail closed if that ever changes.
                Err(_) => KEY_MASK.to_owned(),
            },
            Hasher::Sha256 => {
                let digest = Sha256::digest(s.as_bytes());
                format!("sha256:{}", hex::encode(&digest[..16]))
            }
        }
    }
}

/// The hashers of a redactor, resolved from `hash_function` and the hash key.
#[derive(Debug)]
pub(super) struct Hashers {
    /// Replaces every mask (`hash_function` is not `none`).
    pub(super) value: Option<Hasher>,
    /// Used by `action: hash` key rules (and covered JSON members): the value hasher if there
    /// is one, else HMAC when a key is set.
    pub(super) key: Option<Hasher>,
}

impl Hashers {
    /// Fails when `hmac-sha256` is asked for, or `wants_key_hash` (a key rule hashes), without a
    /// hash key.
    pub(super) fn new(
        config: &RedactionConfig,
        wants_key_hash: bool,
    ) -> Result<Self, RedactionError> {
        let hmac = config
            .hash_key
            .as_ref()
            .filter(|k| !k.bytes().is_empty())
            .map(|k| Hasher::Hmac(k.bytes().to_vec()));
        let value = match config.hash_function {
            HashFunction::None => None,
            HashFunction::Sha256 => Some(Hasher::Sha256),
            HashFunction::HmacSha256 => Some(hmac.clone().ok_or(RedactionError::MissingHashKey)?),
        };
        let key = match (&value, hmac) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(h)) => Some(h),
            (None, None) if wants_key_hash => return Err(RedactionError::MissingHashKey),
            (None, None) => None,
        };
        Ok(Self { value, key })
    }
}
