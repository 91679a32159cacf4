//! Where a client sends its requests, as the spans' `server.*` and provider attributes.

/// Where the client sends requests, as `server.address` / `server.port`, and which
/// `gen_ai.provider.name` its spans carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) provider: String,
    pub(crate) address: Option<String>,
    pub(crate) port: Option<u16>,
}

impl Target {
    pub(crate) fn from_api_base(api_base: &str) -> Target {
        let url = url::Url::parse(api_base).ok();
        Target {
            provider: llmtrace::Provider::OpenAi.as_str().to_owned(),
            address: url.as_ref().and_then(|u| u.host_str()).map(|h| {
                // IPv6 hosts come bracketed; the conventions want the bare address.
                h.trim_start_matches('[').trim_end_matches(']').to_owned()
            }),
            port: url.as_ref().and_then(url::Url::port_or_known_default),
        }
    }

    /// A span builder with the provider and server attributes set.
    pub(crate) fn apply<K>(&self, builder: llmtrace::SpanBuilder<K>) -> llmtrace::SpanBuilder<K> {
        let mut builder = builder.provider(&self.provider);
        if let Some(address) = &self.address {
            builder = builder.server_address(address.as_str());
        }
        if let Some(port) = self.port {
            builder = builder.server_port(port);
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn server_address_and_port_come_from_the_api_base() {
        let t = Target::from_api_base("https://api.openai.com/v1");
        assert_eq!(t.address.as_deref(), Some("api.openai.com"));
        assert_eq!(t.port, Some(443));
        let t = Target::from_api_base("http://127.0.0.1:8000/v1");
        assert_eq!(t.address.as_deref(), Some("127.0.0.1"));
        assert_eq!(t.port, Some(8000));
        let t = Target::from_api_base("http://[::1]:11434/v1");
        assert_eq!(t.address.as_deref(), Some("::1"));
        let t = Target::from_api_base("not a url");
        assert_eq!((t.address, t.port), (None, None));
    }
}
