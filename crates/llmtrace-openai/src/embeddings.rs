//! Traced embeddings.

use async_openai::config::Config;
use async_openai::error::OpenAIError;
use async_openai::traits::RequestOptionsBuilder;
use async_openai::types::embeddings::{
    CreateBase64EmbeddingResponse, CreateEmbeddingRequest, CreateEmbeddingResponse, EmbeddingInput,
};
use async_openai::RequestOptions;
use llmtrace::semconv::attribute as semconv;
use llmtrace::{LlmSpanExt, Response, Usage};
use tracing::Instrument;

use crate::attributes::EMBEDDINGS_INPUT_COUNT;
use crate::mapping::wire_name;
use crate::record::record_attempts;
use crate::target::Target;
use crate::{error, http};

/// Traced embeddings, from [`Client::embeddings`](crate::Client::embeddings); mirrors [`async_openai::Embeddings`].
#[derive(Debug)]
pub struct Embeddings<'c, C: Config> {
    inner: &'c async_openai::Client<C>,
    target: &'c Target,
    options: RequestOptions,
}

impl<'c, C: Config> Embeddings<'c, C> {
    pub(crate) fn new(inner: &'c async_openai::Client<C>, target: &'c Target) -> Self {
        Embeddings {
            inner,
            target,
            options: RequestOptions::default(),
        }
    }

    /// Creates embeddings in an `embeddings {model}` span: model, requested encoding format,
    /// `gen_ai.embeddings.dimension.count` (the request's `dimensions`, else the length of the
    /// first vector returned), `llmtrace.embeddings.input_count`, input tokens, response model;
    /// the input texts as `input.value` only with content capture on.
    pub async fn create(
        &self,
        request: CreateEmbeddingRequest,
    ) -> Result<CreateEmbeddingResponse, OpenAIError> {
        let requested_dimensions = request.dimensions;
        let span = request_span(self.target, &request);
        let mut embeddings = self.inner.embeddings();
        *embeddings.options_mut() = self.options.clone();
        let (result, attempts) = http::counting_attempts(embeddings.create(request))
            .instrument(span.clone())
            .await;
        record_attempts(&span, attempts);
        match &result {
            Ok(response) => {
                record_response(&span, &response.model, response.usage.prompt_tokens);
                if let (None, Some(first)) = (requested_dimensions, response.data.first()) {
                    let count = i64::try_from(first.embedding.len()).unwrap_or(i64::MAX);
                    span.record_attribute(semconv::GEN_AI_EMBEDDINGS_DIMENSION_COUNT, count);
                }
            }
            Err(e) => error::record(&span, e),
        }
        result
    }

    /// Creates base64-encoded embeddings in an `embeddings {model}` span, recorded as
    /// [`create`](Self::create) does (the dimension only when the request sets it).
    pub async fn create_base64(
        &self,
        request: CreateEmbeddingRequest,
    ) -> Result<CreateBase64EmbeddingResponse, OpenAIError> {
        let span = request_span(self.target, &request);
        let mut embeddings = self.inner.embeddings();
        *embeddings.options_mut() = self.options.clone();
        let (result, attempts) = http::counting_attempts(embeddings.create_base64(request))
            .instrument(span.clone())
            .await;
        record_attempts(&span, attempts);
        match &result {
            Ok(response) => record_response(&span, &response.model, response.usage.prompt_tokens),
            Err(e) => error::record(&span, e),
        }
        result
    }
}

/// How many inputs a request embeds: one per text or per token array.
pub fn input_count(input: &EmbeddingInput) -> usize {
    match input {
        EmbeddingInput::String(_) | EmbeddingInput::IntegerArray(_) => 1,
        EmbeddingInput::StringArray(texts) => texts.len(),
        EmbeddingInput::ArrayOfIntegerArray(arrays) => arrays.len(),
    }
}

fn request_span(target: &Target, request: &CreateEmbeddingRequest) -> tracing::Span {
    let count = i64::try_from(input_count(&request.input)).unwrap_or(i64::MAX);
    let mut span = target
        .apply(llmtrace::embeddings(request.model.as_str()))
        .attribute(EMBEDDINGS_INPUT_COUNT, count);
    if let Some(dimensions) = request.dimensions {
        span = span.dimensions(dimensions);
    }
    if let Some(format) = request.encoding_format.as_ref().and_then(wire_name) {
        span = span.encoding_formats([format]);
    }
    if llmtrace::capture_content() {
        match &request.input {
            EmbeddingInput::String(text) => span = span.inputs(&[text.as_str()]),
            EmbeddingInput::StringArray(texts) => {
                let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
                span = span.inputs(&texts);
            }
            // Token ids are not text; they are left out.
            EmbeddingInput::IntegerArray(_) | EmbeddingInput::ArrayOfIntegerArray(_) => {}
        }
    }
    span.start()
}

fn record_response(span: &tracing::Span, model: &str, prompt_tokens: u32) {
    // Embeddings produce no output tokens: none is recorded (not a 0).
    span.record_usage(Usage::input_only(u64::from(prompt_tokens)));
    span.record_response(&Response::new().model(model));
}

/// Headers, query parameters and a path override for the next call, as on async-openai's
/// groups: `client.embeddings().header("x-tenant", "acme")?.create(request)`.
impl<C: Config> RequestOptionsBuilder for Embeddings<'_, C> {
    fn options_mut(&mut self) -> &mut RequestOptions {
        &mut self.options
    }

    fn options(&self) -> &RequestOptions {
        &self.options
    }
}
