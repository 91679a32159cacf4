//! Flattening the conventions' JSON messages and tool definitions into OpenInference's indexed
//! keys (`llm.input_messages.0.message.role`, `llm.tools.0.tool.json_schema`, …), the form
//! Phoenix renders conversations from.

use opentelemetry::KeyValue;
use serde_json::Value as Json;

use llmtrace_semconv::attribute as semconv;
use llmtrace_semconv::openinference::{
    message_key, LLM_INPUT_MESSAGES_PREFIX, LLM_OUTPUT_MESSAGES_PREFIX, LLM_TOOLS_PREFIX,
    MESSAGE_CONTENT, MESSAGE_CONTENTS, MESSAGE_CONTENT_IMAGE_URL, MESSAGE_CONTENT_TEXT,
    MESSAGE_CONTENT_TYPE, MESSAGE_NAME, MESSAGE_ROLE, MESSAGE_TOOL_CALLS, MESSAGE_TOOL_CALL_ID,
    TOOL_CALL_FUNCTION_ARGUMENTS, TOOL_CALL_FUNCTION_NAME, TOOL_CALL_ID, TOOL_JSON_SCHEMA,
};

use super::openinference::{Attributes, Mirror};

/// `llm.input_messages.*`: the system instructions (`gen_ai.system_instructions`, a JSON array of
/// parts or plain text) as message 0 with role `system`, then `gen_ai.input.messages`.
pub(super) fn input_messages(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    if span.has_under(LLM_INPUT_MESSAGES_PREFIX) {
        return;
    }
    let mut messages = Flattener::new(LLM_INPUT_MESSAGES_PREFIX);
    if let Some(text) = span.text(semconv::GEN_AI_SYSTEM_INSTRUCTIONS) {
        let parts = match serde_json::from_str::<Json>(text) {
            Ok(Json::Array(parts)) => parts,
            _ => vec![serde_json::json!({"type": "text", "content": text})],
        };
        messages.message(&serde_json::json!({"role": "system", "parts": parts}));
    }
    if let Some(text) = span.text(semconv::GEN_AI_INPUT_MESSAGES) {
        messages.all(text);
    }
    out.extend(messages.group);
}

/// `llm.output_messages.*` from `gen_ai.output.messages`.
pub(super) fn output_messages(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    if span.has_under(LLM_OUTPUT_MESSAGES_PREFIX) {
        return;
    }
    if let Some(text) = span.text(semconv::GEN_AI_OUTPUT_MESSAGES) {
        let mut messages = Flattener::new(LLM_OUTPUT_MESSAGES_PREFIX);
        messages.all(text);
        out.extend(messages.group);
    }
}

/// `llm.tools.N.tool.json_schema`: each of `gen_ai.tool.definitions` as a JSON string in OpenAI's
/// tool format, which OpenInference recommends.
pub(super) fn tools(span: &Attributes<'_>, out: &mut Mirror<'_>) {
    if span.has_under(LLM_TOOLS_PREFIX) {
        return;
    }
    let Some(text) = span.text(semconv::GEN_AI_TOOL_DEFINITIONS) else {
        return;
    };
    let Ok(Json::Array(definitions)) = serde_json::from_str::<Json>(text) else {
        return;
    };
    let group = definitions
        .iter()
        .enumerate()
        .map(|(i, definition)| {
            KeyValue::new(
                format!("{LLM_TOOLS_PREFIX}.{i}.{TOOL_JSON_SCHEMA}"),
                openai_tool(definition).to_string(),
            )
        })
        .collect();
    out.extend(group);
}

/// A tool definition in OpenAI's format: the conventions' `{type, name, description,
/// parameters}` becomes `{type, function: {name, description, parameters}}`; a definition
/// already in that format, or in neither, is kept as it is.
pub(super) fn openai_tool(definition: &Json) -> Json {
    let Some(tool) = definition.as_object() else {
        return definition.clone();
    };
    if tool.get("function").is_some_and(Json::is_object) {
        return definition.clone();
    }
    let Some(name) = tool.get("name").filter(|n| n.is_string()) else {
        return definition.clone();
    };
    let mut function = serde_json::Map::new();
    function.insert("name".into(), name.clone());
    for field in ["description", "parameters"] {
        if let Some(value) = tool.get(field).filter(|v| !v.is_null()) {
            function.insert(field.into(), value.clone());
        }
    }
    let tool_type = tool
        .get("type")
        .filter(|t| t.is_string())
        .cloned()
        .unwrap_or_else(|| "function".into());
    serde_json::json!({"type": tool_type, "function": function})
}

/// Text for a value that may be a string or any JSON.
fn text_of(value: &Json) -> Option<String> {
    match value {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Builds the flattened attributes of a list of messages under one prefix.
struct Flattener {
    prefix: &'static str,
    next: usize,
    group: Vec<KeyValue>,
}

/// A part of a message that is content (as opposed to a tool call or a tool's answer).
enum Content {
    Text(String),
    Reasoning(String),
    Image(String),
}

impl Flattener {
    fn new(prefix: &'static str) -> Self {
        Flattener {
            prefix,
            next: 0,
            group: Vec::new(),
        }
    }

    fn set(&mut self, field: &str, value: impl Into<opentelemetry::Value>) {
        self.group.push(KeyValue::new(
            message_key(self.prefix, self.next, field),
            value,
        ));
    }

    /// Every message of a JSON array (anything else is not messages and is left out).
    fn all(&mut self, json: &str) {
        if let Ok(Json::Array(messages)) = serde_json::from_str::<Json>(json) {
            for message in messages.iter().filter(|m| m.is_object()) {
                self.message(message);
            }
        }
    }

    /// One message. Each `tool_call_response` part becomes a message of its own (role `tool`),
    /// as OpenInference keeps one tool answer per message.
    fn message(&mut self, message: &Json) {
        let role = message["role"].as_str().unwrap_or_default();
        let Some(parts) = message["parts"].as_array() else {
            // The OpenAI shape some libraries write: `{role, content}`.
            let text = text_of(&message["content"]);
            self.content_message(
                role,
                message,
                text.map(Content::Text).into_iter().collect(),
                &[],
            );
            return;
        };
        let (responses, others): (Vec<&Json>, Vec<&Json>) = parts
            .iter()
            .partition(|part| part["type"] == "tool_call_response");
        if !others.is_empty() || responses.is_empty() {
            let contents = others.iter().filter_map(|part| content(part)).collect();
            let calls: Vec<&Json> = others
                .iter()
                .copied()
                .filter(|part| part["type"] == "tool_call")
                .collect();
            self.content_message(role, message, contents, &calls);
        }
        for response in responses {
            self.set(MESSAGE_ROLE, "tool");
            if let Some(id) = response["id"].as_str() {
                self.set(MESSAGE_TOOL_CALL_ID, id.to_owned());
            }
            if let Some(text) = text_of(&response["response"]) {
                self.set(MESSAGE_CONTENT, text);
            }
            self.next += 1;
        }
    }

    /// A message with role, name, content and tool calls.
    fn content_message(
        &mut self,
        role: &str,
        message: &Json,
        contents: Vec<Content>,
        calls: &[&Json],
    ) {
        if !role.is_empty() {
            self.set(MESSAGE_ROLE, role.to_owned());
        }
        if let Some(name) = message["name"].as_str() {
            self.set(MESSAGE_NAME, name.to_owned());
        }
        match contents.as_slice() {
            [Content::Text(text)] => self.set(MESSAGE_CONTENT, text.clone()),
            _ => {
                for (j, part) in contents.into_iter().enumerate() {
                    let field = |suffix: &str| format!("{MESSAGE_CONTENTS}.{j}.{suffix}");
                    let (kind, key, value) = match part {
                        Content::Text(text) => ("text", MESSAGE_CONTENT_TEXT, text),
                        Content::Reasoning(text) => ("reasoning", MESSAGE_CONTENT_TEXT, text),
                        Content::Image(url) => ("image", MESSAGE_CONTENT_IMAGE_URL, url),
                    };
                    self.set(&field(MESSAGE_CONTENT_TYPE), kind);
                    self.set(&field(key), value);
                }
            }
        }
        for (k, call) in calls.iter().enumerate() {
            let field = |suffix: &str| format!("{MESSAGE_TOOL_CALLS}.{k}.{suffix}");
            if let Some(id) = call["id"].as_str() {
                self.set(&field(TOOL_CALL_ID), id.to_owned());
            }
            if let Some(name) = call["name"].as_str() {
                self.set(&field(TOOL_CALL_FUNCTION_NAME), name.to_owned());
            }
            if let Some(arguments) = text_of(&call["arguments"]) {
                self.set(&field(TOOL_CALL_FUNCTION_ARGUMENTS), arguments);
            }
        }
        self.next += 1;
    }
}

/// The content of a part: text, reasoning, or an image given by URI; `None` for tool calls and
/// for parts OpenInference has no text form for (inline blobs, files).
fn content(part: &Json) -> Option<Content> {
    match part["type"].as_str()? {
        "text" => text_of(&part["content"]).map(Content::Text),
        "reasoning" => text_of(&part["content"]).map(Content::Reasoning),
        "uri" if part["modality"] == "image" => {
            part["uri"].as_str().map(|u| Content::Image(u.to_owned()))
        }
        _ => None,
    }
}
