//! OpenTelemetry semantic-convention attribute keys (GenAI registry v1.41.1, plus the `error.*`
//! and `server.*` keys GenAI spans reference).

crate::attributes! {
    /// The name of the operation being performed (`chat`, `embeddings`, `execute_tool`, …); see
    /// [`Operation`](crate::Operation).
    GEN_AI_OPERATION_NAME = "gen_ai.operation.name": Enum;
    /// The GenAI provider as identified by the instrumentation (`openai`, `anthropic`, …); see
    /// [`Provider`](crate::Provider).
    GEN_AI_PROVIDER_NAME = "gen_ai.provider.name": Enum;
    /// The name of the model a request is made to.
    GEN_AI_REQUEST_MODEL = "gen_ai.request.model": String;
    /// The maximum number of tokens the model may generate.
    GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens": Int;
    /// The number of candidate completions requested.
    GEN_AI_REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count": Int;
    /// The sampling temperature.
    GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature": Double;
    /// The top-p (nucleus) sampling setting.
    GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p": Double;
    /// The top-k sampling setting.
    GEN_AI_REQUEST_TOP_K = "gen_ai.request.top_k": Double;
    /// Sequences at which the model stops generating.
    GEN_AI_REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences": StringArray;
    /// The frequency penalty.
    GEN_AI_REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty": Double;
    /// The presence penalty.
    GEN_AI_REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty": Double;
    /// The encoding formats requested in an embeddings operation.
    GEN_AI_REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats": StringArray;
    /// The seed requested for reproducible sampling.
    GEN_AI_REQUEST_SEED = "gen_ai.request.seed": Int;
    /// Whether a streamed response was requested.
    GEN_AI_REQUEST_STREAM = "gen_ai.request.stream": Boolean;
    /// The unique identifier of the completion.
    GEN_AI_RESPONSE_ID = "gen_ai.response.id": String;
    /// The name of the model that generated the response.
    GEN_AI_RESPONSE_MODEL = "gen_ai.response.model": String;
    /// Why the model stopped generating, one entry per choice.
    GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons": StringArray;
    /// Seconds from the request until the first chunk of a streamed response.
    GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk": Double;
    /// The number of tokens in the prompt.
    GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens": Int;
    /// Input tokens served from the provider's cache.
    GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens": Int;
    /// Input tokens written to the provider's cache.
    GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens": Int;
    /// The number of tokens in the completion.
    GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens": Int;
    /// Output tokens spent on reasoning.
    GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens": Int;
    /// The type of token counted (`input`, `output`); a metric dimension.
    GEN_AI_TOKEN_TYPE = "gen_ai.token.type": Enum;
    /// Identifies a conversation (session, thread) across requests.
    GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id": String;
    /// The unique identifier of an agent.
    GEN_AI_AGENT_ID = "gen_ai.agent.id": String;
    /// Human-readable name of an agent.
    GEN_AI_AGENT_NAME = "gen_ai.agent.name": String;
    /// Free-form description of an agent.
    GEN_AI_AGENT_DESCRIPTION = "gen_ai.agent.description": String;
    /// The version of an agent.
    GEN_AI_AGENT_VERSION = "gen_ai.agent.version": String;
    /// The name of the tool being executed.
    GEN_AI_TOOL_NAME = "gen_ai.tool.name": String;
    /// The identifier of a tool call, as given by the model.
    GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id": String;
    /// The description of a tool.
    GEN_AI_TOOL_DESCRIPTION = "gen_ai.tool.description": String;
    /// The type of a tool (`function`, `extension`, `datastore`).
    GEN_AI_TOOL_TYPE = "gen_ai.tool.type": String;
    /// The arguments of a tool call (content: captured only when enabled).
    GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments": Any;
    /// The result of a tool call (content: captured only when enabled).
    GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result": Any;
    /// The definitions of the tools offered to the model.
    GEN_AI_TOOL_DEFINITIONS = "gen_ai.tool.definitions": Any;
    /// The data source a retrieval queried (a vector store, an index).
    GEN_AI_DATA_SOURCE_ID = "gen_ai.data_source.id": String;
    /// The content type requested (`text`, `json`, …); see [`OutputType`](crate::OutputType).
    GEN_AI_OUTPUT_TYPE = "gen_ai.output.type": Enum;
    /// The dimension of the returned embeddings.
    GEN_AI_EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count": Int;
    /// The documents a retrieval returned (content: captured only when enabled).
    GEN_AI_RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents": Any;
    /// The query text of a retrieval (content: captured only when enabled).
    GEN_AI_RETRIEVAL_QUERY_TEXT = "gen_ai.retrieval.query.text": String;
    /// System instructions sent to the model (content: captured only when enabled).
    GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions": Any;
    /// The messages sent to the model (content: captured only when enabled).
    GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages": Any;
    /// The messages the model returned (content: captured only when enabled).
    GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages": Any;
    /// The name of an evaluation metric.
    GEN_AI_EVALUATION_NAME = "gen_ai.evaluation.name": String;
    /// The score an evaluation gave.
    GEN_AI_EVALUATION_SCORE_VALUE = "gen_ai.evaluation.score.value": Double;
    /// The label an evaluation gave.
    GEN_AI_EVALUATION_SCORE_LABEL = "gen_ai.evaluation.score.label": String;
    /// The explanation an evaluation gave.
    GEN_AI_EVALUATION_EXPLANATION = "gen_ai.evaluation.explanation": String;
    /// The name of a prompt template.
    GEN_AI_PROMPT_NAME = "gen_ai.prompt.name": String;
    /// The name of a workflow.
    GEN_AI_WORKFLOW_NAME = "gen_ai.workflow.name": String;
    /// The class of error an operation ended with (an exception type, an HTTP status, an API
    /// error code).
    ERROR_TYPE = "error.type": Enum;
    /// The host name or address of the GenAI server.
    SERVER_ADDRESS = "server.address": String;
    /// The port of the GenAI server.
    SERVER_PORT = "server.port": Int;
}

/// The name of the span event that records an exception (OpenTelemetry exception convention).
pub const EXCEPTION_EVENT: &str = "exception";
/// The exception's message, on an [`EXCEPTION_EVENT`].
pub const EXCEPTION_MESSAGE: &str = "exception.message";
/// The exception's type, on an [`EXCEPTION_EVENT`].
pub const EXCEPTION_TYPE: &str = "exception.type";
/// The name of the event that carries an evaluation result.
pub const GEN_AI_EVALUATION_RESULT_EVENT: &str = "gen_ai.evaluation.result";
/// The name of the log record (event) an inference emits with its details, content included in
/// the event capture modes.
pub const GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS_EVENT: &str =
    "gen_ai.client.inference.operation.details";
/// The fallback value of [`ERROR_TYPE`] when no better class is known.
pub const ERROR_TYPE_OTHER: &str = "_OTHER";
