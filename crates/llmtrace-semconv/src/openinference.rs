//! [OpenInference](https://github.com/Arize-ai/openinference) keys that llmtrace mirrors next to
//! the `gen_ai.*` attributes, so Arize Phoenix and other OpenInference-aware backends render spans
//! natively.

crate::attributes! {
    /// The OpenInference span kind; see [`SpanKind`].
    OPENINFERENCE_SPAN_KIND = "openinference.span.kind": Enum;
    /// The model name of an LLM or embedding call.
    LLM_MODEL_NAME = "llm.model_name": String;
    /// The provider of an LLM call (OpenInference's names: `openai`, `azure`, `google`, …).
    LLM_PROVIDER = "llm.provider": String;
    /// The AI product of an LLM call (OpenInference's names: `openai`, `vertexai`, …).
    LLM_SYSTEM = "llm.system": String;
    /// The invocation parameters of an LLM call, as a JSON object.
    LLM_INVOCATION_PARAMETERS = "llm.invocation_parameters": String;
    /// Prompt tokens of an LLM call.
    LLM_TOKEN_COUNT_PROMPT = "llm.token_count.prompt": Int;
    /// Completion tokens of an LLM call.
    LLM_TOKEN_COUNT_COMPLETION = "llm.token_count.completion": Int;
    /// Total tokens of an LLM call.
    LLM_TOKEN_COUNT_TOTAL = "llm.token_count.total": Int;
    /// Prompt tokens read from the provider's cache.
    LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ = "llm.token_count.prompt_details.cache_read": Int;
    /// Prompt tokens written to the provider's cache.
    LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE = "llm.token_count.prompt_details.cache_write": Int;
    /// Completion tokens spent on reasoning.
    LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING = "llm.token_count.completion_details.reasoning": Int;
    /// The input of an operation (content: captured only when enabled).
    INPUT_VALUE = "input.value": String;
    /// The MIME type of [`INPUT_VALUE`] (`text/plain`, `application/json`).
    INPUT_MIME_TYPE = "input.mime_type": String;
    /// The output of an operation (content: captured only when enabled).
    OUTPUT_VALUE = "output.value": String;
    /// The MIME type of [`OUTPUT_VALUE`].
    OUTPUT_MIME_TYPE = "output.mime_type": String;
    /// The session (conversation) a span belongs to.
    SESSION_ID = "session.id": String;
    /// The end user a span was made for.
    USER_ID = "user.id": String;
    /// Free-form tags.
    TAG_TAGS = "tag.tags": StringArray;
    /// Free-form metadata, as a JSON object.
    METADATA = "metadata": String;
    /// The name of a tool.
    TOOL_NAME = "tool.name": String;
    /// The description of a tool.
    TOOL_DESCRIPTION = "tool.description": String;
    /// The arguments of a tool call, as JSON.
    TOOL_PARAMETERS = "tool.parameters": String;
    /// The id of the tool call a tool span executes (the model's `tool_call.id`).
    TOOL_ID = "tool.id": String;
    /// The name of an agent.
    AGENT_NAME = "agent.name": String;
    /// The embedding model name.
    EMBEDDING_MODEL_NAME = "embedding.model_name": String;
    /// The template of a prompt.
    LLM_PROMPT_TEMPLATE_TEMPLATE = "llm.prompt_template.template": String;
    /// The version of a prompt template.
    LLM_PROMPT_TEMPLATE_VERSION = "llm.prompt_template.version": String;
    /// The variables of a prompt template, as a JSON object.
    LLM_PROMPT_TEMPLATE_VARIABLES = "llm.prompt_template.variables": String;
}

/// Prefix of the flattened input messages of an LLM call:
/// `llm.input_messages.{i}.message.{field}` (see [`message_key`]).
pub const LLM_INPUT_MESSAGES_PREFIX: &str = "llm.input_messages";
/// Prefix of the flattened output messages of an LLM call:
/// `llm.output_messages.{i}.message.{field}`.
pub const LLM_OUTPUT_MESSAGES_PREFIX: &str = "llm.output_messages";
/// Prefix of the tools offered to an LLM: `llm.tools.{i}.tool.json_schema`.
pub const LLM_TOOLS_PREFIX: &str = "llm.tools";
/// Suffix of one tool offered to an LLM: its definition as a JSON string in OpenAI's tool
/// format (`{"type": "function", "function": {"name", "description", "parameters"}}`).
pub const TOOL_JSON_SCHEMA: &str = "tool.json_schema";

/// The role of a flattened message (`user`, `assistant`, `system`, `tool`).
pub const MESSAGE_ROLE: &str = "message.role";
/// The text of a flattened message when it is one string.
pub const MESSAGE_CONTENT: &str = "message.content";
/// Prefix of the parts of a flattened message with several:
/// `message.contents.{j}.message_content.{type,text}`.
pub const MESSAGE_CONTENTS: &str = "message.contents";
/// The type of a message part (`text`, `image`).
pub const MESSAGE_CONTENT_TYPE: &str = "message_content.type";
/// The text of a message part.
pub const MESSAGE_CONTENT_TEXT: &str = "message_content.text";
/// The URL of an image message part.
pub const MESSAGE_CONTENT_IMAGE_URL: &str = "message_content.image.image.url";
/// The name of the author of a flattened message.
pub const MESSAGE_NAME: &str = "message.name";
/// For a tool message: the id of the tool call it answers.
pub const MESSAGE_TOOL_CALL_ID: &str = "message.tool_call_id";
/// Prefix of the tool calls of a flattened message: `message.tool_calls.{k}.tool_call.{field}`.
pub const MESSAGE_TOOL_CALLS: &str = "message.tool_calls";
/// The id of a tool call.
pub const TOOL_CALL_ID: &str = "tool_call.id";
/// The name of the function a tool call calls.
pub const TOOL_CALL_FUNCTION_NAME: &str = "tool_call.function.name";
/// The arguments of a tool call, as a JSON string.
pub const TOOL_CALL_FUNCTION_ARGUMENTS: &str = "tool_call.function.arguments";

/// The key of `field` of flattened message `index` under `prefix`
/// ([`LLM_INPUT_MESSAGES_PREFIX`] or [`LLM_OUTPUT_MESSAGES_PREFIX`]); `field` is one of the
/// `MESSAGE_*` suffixes, possibly extended (`message.tool_calls.0.tool_call.id`).
///
/// ```
/// use llmtrace_semconv::openinference::{message_key, LLM_INPUT_MESSAGES_PREFIX, MESSAGE_ROLE};
/// assert_eq!(
///     message_key(LLM_INPUT_MESSAGES_PREFIX, 1, MESSAGE_ROLE),
///     "llm.input_messages.1.message.role"
/// );
/// ```
pub fn message_key(prefix: &str, index: usize, field: &str) -> String {
    format!("{prefix}.{index}.{field}")
}

/// Prefix of the flattened retrieval document keys: `retrieval.documents.{i}.document.{field}`.
pub const RETRIEVAL_DOCUMENTS_PREFIX: &str = "retrieval.documents";
/// Prefix of the flattened reranker output keys: `reranker.output_documents.{i}.document.{field}`.
pub const RERANKER_OUTPUT_DOCUMENTS_PREFIX: &str = "reranker.output_documents";
/// Prefix of the flattened reranker input keys: `reranker.input_documents.{i}.document.{field}`.
pub const RERANKER_INPUT_DOCUMENTS_PREFIX: &str = "reranker.input_documents";
/// The reranker's query.
pub const RERANKER_QUERY: &str = "reranker.query";
/// The reranker's model name.
pub const RERANKER_MODEL_NAME: &str = "reranker.model_name";
/// How many documents the reranker keeps.
pub const RERANKER_TOP_K: &str = "reranker.top_k";

/// A field of a retrieved document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentField {
    /// `document.id`
    Id,
    /// `document.score`
    Score,
    /// `document.content` (content: captured only when enabled)
    Content,
    /// `document.metadata` (JSON)
    Metadata,
}

impl DocumentField {
    /// The key suffix of this field.
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentField::Id => "document.id",
            DocumentField::Score => "document.score",
            DocumentField::Content => "document.content",
            DocumentField::Metadata => "document.metadata",
        }
    }
}

/// The flattened key of field `field` of document `index` under `prefix`
/// (one of [`RETRIEVAL_DOCUMENTS_PREFIX`], [`RERANKER_INPUT_DOCUMENTS_PREFIX`],
/// [`RERANKER_OUTPUT_DOCUMENTS_PREFIX`]).
///
/// ```
/// use llmtrace_semconv::openinference::{document_key, DocumentField, RETRIEVAL_DOCUMENTS_PREFIX};
/// assert_eq!(
///     document_key(RETRIEVAL_DOCUMENTS_PREFIX, 2, DocumentField::Score),
///     "retrieval.documents.2.document.score"
/// );
/// ```
pub fn document_key(prefix: &str, index: usize, field: DocumentField) -> String {
    format!("{prefix}.{index}.{}", field.as_str())
}

/// The OpenInference span kind, the value of [`OPENINFERENCE_SPAN_KIND`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpanKind {
    /// A call to a large language model.
    Llm,
    /// A call to an embedding model.
    Embedding,
    /// A retrieval from a data source.
    Retriever,
    /// A reranking of documents.
    Reranker,
    /// A tool execution.
    Tool,
    /// An agent invocation.
    Agent,
    /// A chain of steps.
    Chain,
    /// A guardrail check.
    Guardrail,
    /// An evaluation.
    Evaluator,
}

impl SpanKind {
    /// The attribute value, such as `LLM`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SpanKind::Llm => "LLM",
            SpanKind::Embedding => "EMBEDDING",
            SpanKind::Retriever => "RETRIEVER",
            SpanKind::Reranker => "RERANKER",
            SpanKind::Tool => "TOOL",
            SpanKind::Agent => "AGENT",
            SpanKind::Chain => "CHAIN",
            SpanKind::Guardrail => "GUARDRAIL",
            SpanKind::Evaluator => "EVALUATOR",
        }
    }
}
