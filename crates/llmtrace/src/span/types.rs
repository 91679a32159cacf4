//! Plain values the span API records: token usage, response metadata, documents, messages.

use std::borrow::Cow;

use serde::Serialize;

/// Token usage of one model call.
///
/// An embeddings call produces no output tokens: record it with [`Usage::input_only`], and
/// `gen_ai.usage.output_tokens` is left out as the conventions' embeddings span has it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Tokens in the prompt (including cached ones).
    pub input_tokens: u64,
    /// Tokens in the completion (including reasoning ones); `None` for operations that produce
    /// none (embeddings).
    pub output_tokens: Option<u64>,
    /// Prompt tokens served from the provider's cache.
    pub cache_read_input_tokens: Option<u64>,
    /// Prompt tokens written to the provider's cache.
    pub cache_creation_input_tokens: Option<u64>,
    /// Completion tokens spent on reasoning.
    pub reasoning_output_tokens: Option<u64>,
}

impl Usage {
    /// Usage with input and output token counts.
    pub fn new(input_tokens: u64, output_tokens: u64) -> Self {
        Usage {
            input_tokens,
            output_tokens: Some(output_tokens),
            ..Usage::default()
        }
    }

    /// Usage of an operation that only consumes tokens, such as an embeddings call: input
    /// tokens, no output token count at all (not a 0).
    pub fn input_only(input_tokens: u64) -> Self {
        Usage {
            input_tokens,
            ..Usage::default()
        }
    }

    /// Sets the prompt tokens read from the cache.
    pub fn cache_read(mut self, tokens: u64) -> Self {
        self.cache_read_input_tokens = Some(tokens);
        self
    }

    /// Sets the prompt tokens written to the cache.
    pub fn cache_creation(mut self, tokens: u64) -> Self {
        self.cache_creation_input_tokens = Some(tokens);
        self
    }

    /// Sets the completion tokens spent on reasoning.
    pub fn reasoning(mut self, tokens: u64) -> Self {
        self.reasoning_output_tokens = Some(tokens);
        self
    }

    /// Input plus output tokens.
    pub fn total(&self) -> u64 {
        self.input_tokens
            .saturating_add(self.output_tokens.unwrap_or(0))
    }
}

/// Metadata of a model's response.
///
/// Its texts are borrowed or owned ([`Cow`]): a response built from string literals or from
/// borrowed parts of a provider's answer allocates nothing, so recording it costs nothing when
/// tracing is off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response<'a> {
    /// The provider's id of the completion.
    pub id: Option<Cow<'a, str>>,
    /// The model that actually answered (often a dated version of the requested one).
    pub model: Option<Cow<'a, str>>,
    /// Why generation stopped, one entry per choice (`stop`, `length`, `tool_calls`, …).
    pub finish_reasons: Vec<Cow<'a, str>>,
}

impl<'a> Response<'a> {
    /// An empty response record.
    pub fn new() -> Self {
        Response::default()
    }

    /// Sets the completion id (a `&str`, `&String` or `String`).
    pub fn id(mut self, id: impl Into<Cow<'a, str>>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the model that answered (a `&str`, `&String` or `String`).
    pub fn model(mut self, model: impl Into<Cow<'a, str>>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Adds a finish reason (a `&str`, `&String` or `String`).
    pub fn finish_reason(mut self, reason: impl Into<Cow<'a, str>>) -> Self {
        self.finish_reasons.push(reason.into());
        self
    }
}

/// A document returned by a retriever or a reranker.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    /// The document's id in its store.
    pub id: String,
    /// The relevance score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The text (recorded only when content capture is on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Metadata as a JSON value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

impl Document {
    /// A document with an id.
    pub fn new(id: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            ..Document::default()
        }
    }

    /// Sets the relevance score.
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// Sets the text.
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// Sets metadata.
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// A tool offered to a model, in the shape the conventions give `gen_ai.tool.definitions`
/// (`{"type": "function", "name": …, "description": …, "parameters": {JSON schema}}`), not a
/// provider's request shape (OpenAI nests name, description and parameters under `function`).
///
/// ```
/// let tool = llmtrace::ToolDefinition::function("get_weather")
///     .description("Current weather of a city")
///     .parameters(serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}}));
/// assert_eq!(tool.to_json()["name"], "get_weather");
/// assert_eq!(tool.to_json()["type"], "function");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolDefinition {
    /// The tool's type: `function` for tools the application runs, else the provider's name
    /// for a built-in tool (`web_search`, `code_interpreter`, …).
    #[serde(rename = "type")]
    pub tool_type: String,
    /// The tool's name.
    pub name: String,
    /// What the tool does, as the model is told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON schema of the tool's arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<serde_json::Value>,
}

impl ToolDefinition {
    /// A function tool named `name`.
    pub fn function(name: impl Into<String>) -> Self {
        ToolDefinition::new("function", name)
    }

    /// A tool of type `tool_type` (a provider's built-in tool) named `name`.
    pub fn new(tool_type: impl Into<String>, name: impl Into<String>) -> Self {
        ToolDefinition {
            tool_type: tool_type.into(),
            name: name.into(),
            description: None,
            parameters: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the JSON schema of the arguments.
    pub fn parameters(mut self, schema: serde_json::Value) -> Self {
        self.parameters = Some(schema);
        self
    }

    /// The definition as the conventions' JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut tool = serde_json::json!({"type": self.tool_type, "name": self.name});
        if let Some(obj) = tool.as_object_mut() {
            if let Some(text) = &self.description {
                obj.insert("description".into(), text.clone().into());
            }
            if let Some(schema) = &self.parameters {
                obj.insert("parameters".into(), schema.clone());
            }
        }
        tool
    }
}

/// The author of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// System instructions.
    System,
    /// The end user.
    User,
    /// The model.
    Assistant,
    /// A tool's answer.
    Tool,
}

/// A tool call requested by the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall {
    /// The call id the model gave.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments, as JSON.
    pub arguments: serde_json::Value,
}

impl ToolCall {
    /// A tool call.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: serde_json::Value,
    ) -> Self {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments,
        }
    }
}

/// One chat message, recorded in the GenAI conventions' message format
/// (`{"role": "user", "parts": [{"type": "text", "content": "…"}]}`).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The author.
    pub role: Role,
    /// The text, if any.
    pub text: Option<String>,
    /// Tool calls the model requested in this message.
    pub tool_calls: Vec<ToolCall>,
    /// For a [`Role::Tool`] message: the id of the call it answers.
    pub tool_call_id: Option<String>,
    /// For an output message: why generation stopped.
    pub finish_reason: Option<String>,
}

impl Message {
    /// A text message.
    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Message {
            role,
            text: Some(text.into()),
            tool_calls: Vec::new(),
            tool_call_id: None,
            finish_reason: None,
        }
    }

    /// A system message.
    pub fn system(text: impl Into<String>) -> Self {
        Message::new(Role::System, text)
    }

    /// A user message.
    pub fn user(text: impl Into<String>) -> Self {
        Message::new(Role::User, text)
    }

    /// An assistant message.
    pub fn assistant(text: impl Into<String>) -> Self {
        Message::new(Role::Assistant, text)
    }

    /// An assistant message that requests tool calls.
    pub fn tool_calls(calls: Vec<ToolCall>) -> Self {
        Message {
            role: Role::Assistant,
            text: None,
            tool_calls: calls,
            tool_call_id: None,
            finish_reason: Some("tool_calls".to_owned()),
        }
    }

    /// A tool's answer to call `call_id`.
    pub fn tool_result(call_id: impl Into<String>, text: impl Into<String>) -> Self {
        Message {
            role: Role::Tool,
            text: Some(text.into()),
            tool_calls: Vec::new(),
            tool_call_id: Some(call_id.into()),
            finish_reason: None,
        }
    }

    /// Sets the finish reason (output messages).
    pub fn with_finish_reason(mut self, reason: impl Into<String>) -> Self {
        self.finish_reason = Some(reason.into());
        self
    }

    /// The message in the conventions' JSON form.
    pub fn to_json(&self) -> serde_json::Value {
        let mut parts = Vec::new();
        if let Some(text) = &self.text {
            if let Some(id) = &self.tool_call_id {
                parts.push(
                    serde_json::json!({"type": "tool_call_response", "id": id, "response": text}),
                );
            } else {
                parts.push(serde_json::json!({"type": "text", "content": text}));
            }
        }
        for call in &self.tool_calls {
            parts.push(serde_json::json!({
                "type": "tool_call", "id": call.id, "name": call.name, "arguments": call.arguments
            }));
        }
        let mut message = serde_json::json!({"role": self.role, "parts": parts});
        if let (Some(reason), Some(obj)) = (&self.finish_reason, message.as_object_mut()) {
            obj.insert("finish_reason".into(), reason.clone().into());
        }
        message
    }
}

/// Serializes messages as the JSON array the conventions use for `gen_ai.input.messages`.
pub(crate) fn messages_json(messages: &[Message]) -> String {
    serde_json::Value::Array(messages.iter().map(Message::to_json).collect()).to_string()
}
