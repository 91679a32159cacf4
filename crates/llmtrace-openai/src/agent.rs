//! [`ChatModel`]: one traced chat turn over llmtrace [`Message`]s, for agent loops that keep
//! their history in llmtrace's types (like the workspace's `agent` example).

use async_openai::config::{Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::types::chat::CreateChatCompletionRequest;
use llmtrace::{Message, Role};
use serde_json::json;

use crate::mapping::output_message;
use crate::Client;

/// The model [`ChatModel::from_env`] uses when `OPENAI_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// A model an agent calls turn by turn: sends llmtrace [`Message`]s (system, user, assistant
/// tool calls, tool results) with the tools it was given, and returns the model's reply as a
/// [`Message`] — text, or tool calls to run. Each turn is a traced `chat {model}` span.
///
/// ```no_run
/// use llmtrace::Message;
/// use serde_json::json;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // Some(_) when OPENAI_API_KEY or OPENAI_BASE_URL is set.
/// if let Some(model) = llmtrace_openai::ChatModel::from_env() {
///     let model = model.tool(
///         "get_weather",
///         "Current weather of a city",
///         json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
///     );
///     let reply = model.complete(&[Message::user("Weather in Lisbon?")]).await?;
///     for call in &reply.tool_calls {
///         println!("{} {} {}", call.id, call.name, call.arguments);
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ChatModel<C: Config = OpenAIConfig> {
    client: Client<C>,
    model: String,
    tools: Vec<serde_json::Value>,
    temperature: Option<f32>,
    max_tokens: Option<u32>,
}

impl ChatModel<OpenAIConfig> {
    /// A model for the endpoint the environment names, or `None` when neither
    /// `OPENAI_API_KEY` nor `OPENAI_BASE_URL` is set (use a fake model then). The model is
    /// `OPENAI_MODEL`, else [`DEFAULT_MODEL`]; a local server may need no key.
    pub fn from_env() -> Option<Self> {
        let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
        if !set("OPENAI_API_KEY") && !set("OPENAI_BASE_URL") {
            return None;
        }
        let model = std::env::var("OPENAI_MODEL")
            .ok()
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        Some(ChatModel::new(Client::new(), model))
    }
}

impl<C: Config> ChatModel<C> {
    /// A model served by `client`.
    pub fn new(client: Client<C>, model: impl Into<String>) -> Self {
        ChatModel {
            client,
            model: model.into(),
            tools: Vec::new(),
            temperature: None,
            max_tokens: None,
        }
    }

    /// Offers a function tool: its name, description and JSON-schema parameters.
    pub fn tool(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
    ) -> Self {
        self.tools.push(json!({
            "type": "function",
            "function": {
                "name": name.into(),
                "description": description.into(),
                "parameters": parameters,
            }
        }));
        self
    }

    /// The sampling temperature of every turn.
    pub fn temperature(mut self, temperature: f32) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// The maximum completion tokens of every turn.
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// The model's name.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The traced client.
    pub fn client(&self) -> &Client<C> {
        &self.client
    }

    /// The chat request one turn sends for `history`.
    pub fn request(&self, history: &[Message]) -> Result<CreateChatCompletionRequest, OpenAIError> {
        let mut request = json!({
            "model": self.model,
            "messages": history.iter().map(wire_message).collect::<Vec<_>>(),
        });
        if !self.tools.is_empty() {
            request["tools"] = serde_json::Value::Array(self.tools.clone());
        }
        if let Some(t) = self.temperature {
            request["temperature"] = json!(t);
        }
        if let Some(max) = self.max_tokens {
            request["max_completion_tokens"] = json!(max);
        }
        serde_json::from_value(request).map_err(|e| {
            OpenAIError::InvalidArgument(format!("cannot build the chat request: {e}"))
        })
    }

    /// Runs one turn: the model's reply to `history` (the first choice), as a [`Message`] with
    /// text and/or tool calls and the finish reason.
    pub async fn complete(&self, history: &[Message]) -> Result<Message, OpenAIError> {
        let response = self.client.chat().create(self.request(history)?).await?;
        response
            .choices
            .iter()
            .min_by_key(|c| c.index)
            .map(output_message)
            .ok_or_else(|| OpenAIError::InvalidArgument("the model returned no choice".to_owned()))
    }
}

/// A message in the Chat Completions wire format.
fn wire_message(message: &Message) -> serde_json::Value {
    let text = message.text.clone().unwrap_or_default();
    match message.role {
        Role::System => json!({"role": "system", "content": text}),
        Role::User => json!({"role": "user", "content": text}),
        Role::Tool => json!({
            "role": "tool",
            "tool_call_id": message.tool_call_id.clone().unwrap_or_default(),
            "content": text,
        }),
        Role::Assistant => {
            let mut out = json!({"role": "assistant"});
            if let Some(text) = &message.text {
                out["content"] = json!(text);
            }
            if !message.tool_calls.is_empty() {
                let calls: Vec<serde_json::Value> = message
                    .tool_calls
                    .iter()
                    .map(|call| {
                        let arguments = match &call.arguments {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        json!({
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": arguments},
                        })
                    })
                    .collect();
                out["tool_calls"] = serde_json::Value::Array(calls);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use llmtrace::ToolCall;

    #[test]
    fn a_history_with_tool_calls_and_results_becomes_a_valid_request() {
        let client = Client::with_config(
            OpenAIConfig::new()
                .with_api_base("http://127.0.0.1:9/v1")
                .with_api_key("test"),
        );
        let model = ChatModel::new(client, "gpt-4o-mini")
            .tool("get_weather", "weather", json!({"type": "object"}))
            .temperature(0.5)
            .max_tokens(64);
        let history = [
            Message::system("be brief"),
            Message::user("weather?"),
            Message::tool_calls(vec![ToolCall::new(
                "call_1",
                "get_weather",
                json!({"city": "Oslo"}),
            )]),
            Message::tool_result("call_1", "{\"celsius\":-3}"),
        ];
        let request = model.request(&history).expect("valid request");
        let wire = serde_json::to_value(&request).expect("serializes");
        assert_eq!(
            wire["messages"][2]["tool_calls"][0]["function"]["arguments"],
            "{\"city\":\"Oslo\"}"
        );
        assert_eq!(wire["messages"][3]["tool_call_id"], "call_1");
        assert_eq!(wire["tools"][0]["function"]["name"], "get_weather");
        assert_eq!(wire["max_completion_tokens"], 64);
        // And back: the traced span's input messages read the same history.
        let back = crate::input_messages(&request.messages);
        assert_eq!(back[2].tool_calls[0].arguments, json!({"city": "Oslo"}));
        assert_eq!(back[3].tool_call_id.as_deref(), Some("call_1"));
        assert_eq!(back[0].role, Role::System);
    }
}
