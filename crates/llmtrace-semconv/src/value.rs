//! Typed values of enum-valued attributes.

use crate::SpanKind;

/// Declares a string-valued enum with `as_str` and `ALL`.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $value:literal, )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
        }

        impl $name {
            /// Every value, in registry order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The attribute value as the registry spells it.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $value, )* }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Values of `gen_ai.operation.name`.
    Operation {
        /// Chat completion (OpenAI Chat API and the like).
        Chat = "chat",
        /// Multimodal content generation (Gemini `generateContent`).
        GenerateContent = "generate_content",
        /// Text completion (legacy completions API).
        TextCompletion = "text_completion",
        /// Embeddings creation.
        Embeddings = "embeddings",
        /// Retrieval from a data source.
        Retrieval = "retrieval",
        /// Agent creation.
        CreateAgent = "create_agent",
        /// Agent invocation.
        InvokeAgent = "invoke_agent",
        /// Tool execution.
        ExecuteTool = "execute_tool",
        /// Workflow invocation.
        InvokeWorkflow = "invoke_workflow",
    }
}

string_enum! {
    /// Values of `gen_ai.provider.name` known to the registry; other providers are recorded as
    /// free-form strings.
    Provider {
        /// OpenAI.
        OpenAi = "openai",
        /// Google Gen AI.
        GcpGenAi = "gcp.gen_ai",
        /// Google Vertex AI.
        GcpVertexAi = "gcp.vertex_ai",
        /// Google Gemini.
        GcpGemini = "gcp.gemini",
        /// Anthropic.
        Anthropic = "anthropic",
        /// Cohere.
        Cohere = "cohere",
        /// Azure AI Inference.
        AzureAiInference = "azure.ai.inference",
        /// Azure OpenAI.
        AzureAiOpenAi = "azure.ai.openai",
        /// IBM watsonx.ai.
        IbmWatsonxAi = "ibm.watsonx.ai",
        /// AWS Bedrock.
        AwsBedrock = "aws.bedrock",
        /// Perplexity.
        Perplexity = "perplexity",
        /// xAI.
        XAi = "x_ai",
        /// DeepSeek.
        DeepSeek = "deepseek",
        /// Groq.
        Groq = "groq",
        /// Mistral AI.
        MistralAi = "mistral_ai",
    }
}

string_enum! {
    /// Values of `gen_ai.output.type`.
    OutputType {
        /// Plain text.
        Text = "text",
        /// JSON.
        Json = "json",
        /// An image.
        Image = "image",
        /// Speech.
        Speech = "speech",
    }
}

string_enum! {
    /// Values of `gen_ai.token.type`.
    TokenType {
        /// Input tokens.
        Input = "input",
        /// Output tokens.
        Output = "output",
    }
}

impl Operation {
    /// The default span kind: CLIENT for calls to a model or a remote service, INTERNAL for
    /// in-process tools, agents and workflows (the conventions allow CLIENT for a remote agent;
    /// the span API lets the caller say so).
    pub const fn span_kind(self) -> SpanKind {
        match self {
            Operation::ExecuteTool | Operation::InvokeAgent | Operation::InvokeWorkflow => {
                SpanKind::Internal
            }
            Operation::Chat
            | Operation::GenerateContent
            | Operation::TextCompletion
            | Operation::Embeddings
            | Operation::Retrieval
            | Operation::CreateAgent => SpanKind::Client,
        }
    }

    /// Parses a registry value such as `"chat"`.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|op| op.as_str() == name)
    }
}

impl Provider {
    /// Parses a registry value such as `"openai"`.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.as_str() == name)
    }
}
