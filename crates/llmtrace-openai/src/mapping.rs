//! Pure mappings from async-openai's request and response types to llmtrace's values
//! (messages, tool calls, tool definitions, usage): no spans, no I/O, so the call types (chat,
//! stream, embeddings, agent turns) all depend on this one leaf module and not on each other.

use async_openai::types::chat::{
    ChatChoice, ChatCompletionMessageToolCalls, ChatCompletionRequestMessage, ChatCompletionTools,
    CompletionUsage,
};
use llmtrace::{Message, Role, ToolCall, ToolDefinition, Usage};

/// An `f32` request parameter as the `f64` it was written as (`0.2`, not `0.2000000029…`).
pub(crate) fn widen(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

/// The name an enum value has on the wire (`"tool_calls"`, `"flex"`).
pub(crate) fn wire_name<T: serde::Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The request's messages in llmtrace's form, read from their wire JSON (text parts only; other
/// parts — images, audio, files — are left out).
pub fn input_messages(messages: &[ChatCompletionRequestMessage]) -> Vec<Message> {
    match serde_json::to_value(messages) {
        Ok(serde_json::Value::Array(items)) => items.iter().map(message_from_json).collect(),
        _ => Vec::new(),
    }
}

fn message_from_json(json: &serde_json::Value) -> Message {
    let role = match json["role"].as_str() {
        Some("system" | "developer") => Role::System,
        Some("assistant") => Role::Assistant,
        Some("tool" | "function") => Role::Tool,
        _ => Role::User,
    };
    let tool_calls = json["tool_calls"]
        .as_array()
        .map(|calls| calls.iter().filter_map(tool_call_from_json).collect())
        .unwrap_or_default();
    Message {
        role,
        text: content_text(&json["content"]),
        tool_calls,
        tool_call_id: json["tool_call_id"].as_str().map(str::to_owned),
        finish_reason: None,
    }
}

fn content_text(content: &serde_json::Value) -> Option<String> {
    match content {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter_map(|p| p["text"].as_str().or_else(|| p["refusal"].as_str()))
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}

fn tool_call_from_json(call: &serde_json::Value) -> Option<ToolCall> {
    let id = call["id"].as_str()?;
    if let Some(custom) = call.get("custom") {
        let input = custom["input"].as_str().unwrap_or_default();
        return Some(ToolCall::new(
            id,
            custom["name"].as_str()?,
            arguments(input),
        ));
    }
    let function = &call["function"];
    let args = function["arguments"].as_str().unwrap_or_default();
    Some(ToolCall::new(
        id,
        function["name"].as_str()?,
        arguments(args),
    ))
}

/// Tool-call arguments as JSON when they parse, else as the string the model produced.
pub(crate) fn arguments(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

pub(crate) fn usage(usage: &CompletionUsage) -> Usage {
    let mut out = Usage::new(
        u64::from(usage.prompt_tokens),
        u64::from(usage.completion_tokens),
    );
    if let Some(cached) = usage
        .prompt_tokens_details
        .as_ref()
        .and_then(|d| d.cached_tokens)
    {
        out = out.cache_read(u64::from(cached));
    }
    if let Some(reasoning) = usage
        .completion_tokens_details
        .as_ref()
        .and_then(|d| d.reasoning_tokens)
    {
        out = out.reasoning(u64::from(reasoning));
    }
    out
}

/// One choice of a response as the output message it is (text or refusal, tool calls with
/// their arguments parsed as JSON, finish reason).
pub(crate) fn output_message(choice: &ChatChoice) -> Message {
    let message = &choice.message;
    let tool_calls = message
        .tool_calls
        .iter()
        .flatten()
        .map(|call| match call {
            ChatCompletionMessageToolCalls::Function(f) => ToolCall::new(
                f.id.clone(),
                f.function.name.clone(),
                arguments(&f.function.arguments),
            ),
            ChatCompletionMessageToolCalls::Custom(c) => ToolCall::new(
                c.id.clone(),
                c.custom_tool.name.clone(),
                arguments(&c.custom_tool.input),
            ),
        })
        .collect();
    Message {
        role: Role::Assistant,
        text: message.content.clone().or_else(|| message.refusal.clone()),
        tool_calls,
        tool_call_id: None,
        finish_reason: choice.finish_reason.as_ref().and_then(wire_name),
    }
}

/// The tools a request offers, in the conventions' shape for `gen_ai.tool.definitions`
/// (`{type, name, description, parameters}`), not the request's (`{type, function: {…}}`).
/// Function tools keep their description and parameter schema; a custom tool keeps its
/// description and its input format as `parameters`.
pub fn tool_definitions(tools: &[ChatCompletionTools]) -> Vec<ToolDefinition> {
    tools
        .iter()
        .map(|tool| match tool {
            ChatCompletionTools::Function(tool) => {
                let function = &tool.function;
                let mut definition = ToolDefinition::function(function.name.clone());
                definition.description.clone_from(&function.description);
                definition.parameters = function.parameters.clone().filter(|p| !p.is_null());
                definition
            }
            ChatCompletionTools::Custom(tool) => {
                let custom = &tool.custom;
                let mut definition = ToolDefinition::new("custom", custom.name.clone());
                definition.description.clone_from(&custom.description);
                definition.parameters = serde_json::to_value(&custom.format).ok();
                definition
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use async_openai::types::chat::{
        ChatCompletionTool, ChatCompletionTools, CustomToolChatCompletions, CustomToolProperties,
        FunctionObject,
    };
    use serde_json::json;

    use super::tool_definitions;

    #[test]
    fn tools_are_defined_in_the_conventions_shape() {
        let tools = [
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: "get_weather".into(),
                    description: Some("Current weather of a city".into()),
                    parameters: Some(
                        json!({"type": "object", "properties": {"city": {"type": "string"}}}),
                    ),
                    strict: None,
                },
            }),
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: "now".into(),
                    description: None,
                    parameters: None,
                    strict: None,
                },
            }),
            ChatCompletionTools::Custom(CustomToolChatCompletions {
                custom: CustomToolProperties {
                    name: "sql".into(),
                    description: Some("Runs a query".into()),
                    ..CustomToolProperties::default()
                },
            }),
        ];
        let json: Vec<serde_json::Value> = tool_definitions(&tools)
            .iter()
            .map(llmtrace::ToolDefinition::to_json)
            .collect();
        assert_eq!(
            json[0],
            json!({"type": "function", "name": "get_weather", "description": "Current weather of a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}})
        );
        assert_eq!(json[1], json!({"type": "function", "name": "now"}));
        assert_eq!(json[2]["type"], "custom");
        assert_eq!(json[2]["name"], "sql");
        assert_eq!(json[2]["description"], "Runs a query");
        assert!(json.iter().all(|tool| tool.get("function").is_none()));
    }
}
