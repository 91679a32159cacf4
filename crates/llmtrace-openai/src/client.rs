//! [`Client`]: async-openai's client with every chat and embeddings call traced.

use async_openai::config::{Config, OpenAIConfig};

use crate::chat::Chat;
use crate::embeddings::Embeddings;
use crate::http;
use crate::target::Target;

/// Retries of a traced client built here: async-openai's default (3 retries of 429, 5xx and
/// connection errors, with exponential backoff from 100 ms or the server's `retry-after`).
pub const DEFAULT_MAX_RETRIES: usize = 3;

/// async-openai's [`Client`](async_openai::Client) with every chat completion (plain and
/// streamed) and embeddings call traced: swap the type, keep the calls.
///
/// `chat()` and `embeddings()` mirror async-openai's groups; [`inner`](Self::inner) reaches
/// everything else (untraced).
///
/// Clients built with [`new`](Self::new), [`with_config`](Self::with_config) or
/// [`build`](Self::build) send requests through async-openai's retry layer over an HTTP service
/// of this crate that makes retries visible: each retryable response (429, 5xx) becomes a
/// `llmtrace.http.retryable_response` event on the call's span and a call that took more than
/// one attempt gets `llmtrace.retry.attempts`. A client wrapped with [`From`] keeps its own HTTP
/// stack, so its retries stay invisible.
#[derive(Clone)]
pub struct Client<C: Config> {
    inner: async_openai::Client<C>,
    http_client: Option<reqwest::Client>,
    target: Target,
}

impl<C: Config> std::fmt::Debug for Client<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.inner.config().api_base())
            .field("provider", &self.target.provider)
            .finish_non_exhaustive()
    }
}

impl Client<OpenAIConfig> {
    /// A client configured from the environment like async-openai's (`OPENAI_API_KEY`,
    /// `OPENAI_BASE_URL`), with traced retries.
    pub fn new() -> Self {
        Client::with_config(OpenAIConfig::default())
    }
}

impl Default for Client<OpenAIConfig> {
    fn default() -> Self {
        Client::new()
    }
}

impl<C: Config> Client<C> {
    /// A client with `config` (API base, key, headers) and traced retries.
    pub fn with_config(config: C) -> Self {
        Client::build(reqwest::Client::new(), config)
    }

    /// A client with your own `reqwest` client (timeouts, proxies, TLS) and traced retries.
    pub fn build(http_client: reqwest::Client, config: C) -> Self {
        let inner = async_openai::Client::with_config(config)
            .with_http_service(http::service(http_client.clone(), DEFAULT_MAX_RETRIES));
        Client::wrap(inner, Some(http_client))
    }

    fn wrap(inner: async_openai::Client<C>, http_client: Option<reqwest::Client>) -> Self {
        let target = Target::from_api_base(inner.config().api_base());
        Client {
            inner,
            http_client,
            target,
        }
    }

    /// Sets how often a call is retried after a 429, a 5xx or a connection error (async-openai's
    /// retry layer; 0 turns retries off). Replaces the client's HTTP service with this crate's,
    /// which makes retries visible.
    pub fn with_max_retries(mut self, max_retries: usize) -> Self {
        let http_client = self
            .http_client
            .get_or_insert_with(reqwest::Client::new)
            .clone();
        self.inner = self
            .inner
            .with_http_service(http::service(http_client, max_retries));
        self
    }

    /// The `gen_ai.provider.name` of this client's spans (default `openai`); set it when the
    /// OpenAI-compatible server is another provider's, e.g. [`llmtrace::Provider::Groq`].
    pub fn with_provider(mut self, provider: impl std::fmt::Display) -> Self {
        self.target.provider = provider.to_string();
        self
    }

    /// Traced chat completions.
    pub fn chat(&self) -> Chat<'_, C> {
        Chat::new(&self.inner, &self.target)
    }

    /// Traced embeddings.
    pub fn embeddings(&self) -> Embeddings<'_, C> {
        Embeddings::new(&self.inner, &self.target)
    }

    /// The wrapped async-openai client, for the APIs this crate does not trace.
    pub fn inner(&self) -> &async_openai::Client<C> {
        &self.inner
    }

    /// Unwraps the async-openai client.
    pub fn into_inner(self) -> async_openai::Client<C> {
        self.inner
    }

    /// The client's configuration.
    pub fn config(&self) -> &C {
        self.inner.config()
    }
}

impl<C: Config> From<async_openai::Client<C>> for Client<C> {
    /// Wraps an existing client as it is (its HTTP stack, so retries are not visible on spans).
    fn from(inner: async_openai::Client<C>) -> Self {
        Client::wrap(inner, None)
    }
}
