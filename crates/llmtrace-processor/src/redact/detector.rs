//! The built-in detectors: what each one finds and the label it masks with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RedactionError;

/// A built-in detector of personal data or secrets. Each can be switched on or off.
///
/// The [`label`](Detector::label) is the name used in configuration (`detectors: { email: false }`),
/// in masks (`[REDACTED:email]`) and in statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Detector {
    /// E-mail addresses (`ada@example.org`).
    Email,
    /// Phone numbers in international `+CC …` form and North-American `(415) 555-0132` form.
    Phone,
    /// Payment card numbers of the major schemes, 13–19 digits, Luhn-checked.
    PaymentCard,
    /// International bank account numbers, country length and mod-97 checksum verified.
    Iban,
    /// US social security numbers (`123-45-6789`), invalid area/group/serial ranges excluded.
    UsSsn,
    /// IPv4 and IPv6 addresses (IPv6 parsed by the standard library).
    IpAddress,
    /// JSON Web Tokens (`eyJ….eyJ….sig`).
    Jwt,
    /// Bearer tokens and `Authorization:` header values.
    BearerToken,
    /// HTTP basic credentials (`Basic dXNlcjpwYXNz`, verified to decode to `user:password`) and
    /// credentials in URLs (`https://user:pass@host`).
    BasicAuth,
    /// PEM / OpenSSH / PGP private key blocks.
    PrivateKey,
    /// OpenAI API keys (`sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…`).
    OpenaiKey,
    /// Anthropic API keys (`sk-ant-api03-…`, `sk-ant-admin01-…`).
    AnthropicKey,
    /// AWS access key ids (`AKIA…`, `ASIA…`).
    AwsAccessKey,
    /// GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
    GithubToken,
    /// Slack tokens (`xoxb-`, `xoxp-`, `xapp-` …) and incoming-webhook URLs.
    SlackToken,
    /// Stripe secret and restricted keys (`sk_live_`, `rk_test_` …) and webhook secrets.
    StripeKey,
    /// Google API keys (`AIza…`).
    GoogleApiKey,
    /// Tokens of other platforms: GitLab (`glpat-`), Hugging Face (`hf_`), npm (`npm_`),
    /// SendGrid (`SG.`), DigitalOcean (`dop_v1_`).
    PlatformToken,
    /// `password=…`, `api_key: …`, `"token": "…"` assignments (passwords of any shape,
    /// other values only when they look random), and values of attributes or JSON members whose
    /// key names a secret.
    GenericSecret,
}

impl Detector {
    /// Every detector, in matching priority order (earlier wins when two start at the same place).
    pub const ALL: [Detector; 19] = [
        Detector::PrivateKey,
        Detector::Jwt,
        Detector::AnthropicKey,
        Detector::OpenaiKey,
        Detector::AwsAccessKey,
        Detector::GithubToken,
        Detector::SlackToken,
        Detector::StripeKey,
        Detector::GoogleApiKey,
        Detector::PlatformToken,
        Detector::BasicAuth,
        Detector::BearerToken,
        Detector::GenericSecret,
        Detector::Email,
        Detector::Iban,
        Detector::PaymentCard,
        Detector::UsSsn,
        Detector::Phone,
        Detector::IpAddress,
    ];

    /// The number of detectors.
    pub const COUNT: usize = Self::ALL.len();

    /// The snake_case name used in configuration, masks and statistics.
    pub const fn label(self) -> &'static str {
        match self {
            Detector::Email => "email",
            Detector::Phone => "phone",
            Detector::PaymentCard => "payment_card",
            Detector::Iban => "iban",
            Detector::UsSsn => "us_ssn",
            Detector::IpAddress => "ip_address",
            Detector::Jwt => "jwt",
            Detector::BearerToken => "bearer_token",
            Detector::BasicAuth => "basic_auth",
            Detector::PrivateKey => "private_key",
            Detector::OpenaiKey => "openai_key",
            Detector::AnthropicKey => "anthropic_key",
            Detector::AwsAccessKey => "aws_access_key",
            Detector::GithubToken => "github_token",
            Detector::SlackToken => "slack_token",
            Detector::StripeKey => "stripe_key",
            Detector::GoogleApiKey => "google_api_key",
            Detector::PlatformToken => "platform_token",
            Detector::GenericSecret => "generic_secret",
        }
    }

    /// The fixed mask this detector writes in place of a match, e.g. `[REDACTED:email]`.
    pub const fn mask(self) -> &'static str {
        match self {
            Detector::Email => "[REDACTED:email]",
            Detector::Phone => "[REDACTED:phone]",
            Detector::PaymentCard => "[REDACTED:payment_card]",
            Detector::Iban => "[REDACTED:iban]",
            Detector::UsSsn => "[REDACTED:us_ssn]",
            Detector::IpAddress => "[REDACTED:ip_address]",
            Detector::Jwt => "[REDACTED:jwt]",
            Detector::BearerToken => "[REDACTED:bearer_token]",
            Detector::BasicAuth => "[REDACTED:basic_auth]",
            Detector::PrivateKey => "[REDACTED:private_key]",
            Detector::OpenaiKey => "[REDACTED:openai_key]",
            Detector::AnthropicKey => "[REDACTED:anthropic_key]",
            Detector::AwsAccessKey => "[REDACTED:aws_access_key]",
            Detector::GithubToken => "[REDACTED:github_token]",
            Detector::SlackToken => "[REDACTED:slack_token]",
            Detector::StripeKey => "[REDACTED:stripe_key]",
            Detector::GoogleApiKey => "[REDACTED:google_api_key]",
            Detector::PlatformToken => "[REDACTED:platform_token]",
            Detector::GenericSecret => "[REDACTED:generic_secret]",
        }
    }

    /// Whether this detector finds credentials (as opposed to personal data such as e-mails).
    pub const fn is_secret(self) -> bool {
        !matches!(
            self,
            Detector::Email
                | Detector::Phone
                | Detector::PaymentCard
                | Detector::Iban
                | Detector::UsSsn
                | Detector::IpAddress
        )
    }

    /// A dense index in `0..Detector::COUNT`, stable within one build.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn names_joined() -> String {
        let mut names: Vec<&str> = Self::ALL.iter().map(|d| d.label()).collect();
        names.sort_unstable();
        names.join(", ")
    }
}

impl fmt::Display for Detector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Detector {
    type Err = RedactionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.label() == wanted)
            .ok_or_else(|| RedactionError::UnknownDetector(wanted.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_dense_and_unique() {
        let mut seen = [false; Detector::COUNT];
        for d in Detector::ALL {
            assert!(d.index() < Detector::COUNT, "{d}");
            assert!(!seen[d.index()], "{d} listed twice");
            seen[d.index()] = true;
        }
    }
}
