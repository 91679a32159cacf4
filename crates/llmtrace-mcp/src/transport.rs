//! What the MCP spans say about the connection: `network.transport` (`pipe` for stdio, `tcp`
//! for HTTP, as the conventions ask), `network.protocol.name` and, on the client side,
//! `server.address` / `server.port`.

use opentelemetry::KeyValue;

use llmtrace::semconv::{attribute as semconv, mcp};

/// The connection an MCP client or server talks over, as recorded on its spans.
///
/// ```
/// use llmtrace_mcp::Transport;
///
/// let stdio = Transport::stdio();
/// assert_eq!(stdio.network_transport(), Some("pipe"));
///
/// let http = Transport::http("http://127.0.0.1:8000/mcp");
/// assert_eq!(http.network_transport(), Some("tcp"));
/// assert_eq!(http.server_address(), Some("127.0.0.1"));
/// assert_eq!(http.server_port(), Some(8000));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transport {
    network: Option<&'static str>,
    protocol: Option<&'static str>,
    server_address: Option<String>,
    server_port: Option<u16>,
}

impl Transport {
    /// Standard input and output of a child process: `network.transport = pipe`.
    pub fn stdio() -> Self {
        Transport {
            network: Some("pipe"),
            ..Transport::default()
        }
    }

    /// Streamable HTTP to `url` (client side): `network.transport = tcp`,
    /// `network.protocol.name = http`, and `server.address` / `server.port` from the URL (the
    /// scheme's default port when it names none). A URL that does not parse records no address.
    pub fn http(url: &str) -> Self {
        let uri = url.parse::<http::Uri>().ok();
        let server_address = uri
            .as_ref()
            .and_then(|u| u.host())
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned());
        let server_port = uri.as_ref().and_then(|u| {
            u.port_u16().or(match u.scheme_str() {
                Some("https") => Some(443),
                Some("http") => Some(80),
                _ => None,
            })
        });
        Transport {
            server_address,
            server_port: server_port.filter(|_| uri.as_ref().and_then(|u| u.host()).is_some()),
            ..Transport::http_server()
        }
    }

    /// Streamable HTTP (server side): `network.transport = tcp`, `network.protocol.name = http`.
    pub fn http_server() -> Self {
        Transport {
            network: Some("tcp"),
            protocol: Some("http"),
            ..Transport::default()
        }
    }

    /// Another transport: `network.transport` as given (`tcp`, `quic`, `unix`, `pipe`…).
    pub fn other(network_transport: &'static str) -> Self {
        Transport {
            network: Some(network_transport),
            ..Transport::default()
        }
    }

    /// The `network.transport` value, if known.
    pub fn network_transport(&self) -> Option<&'static str> {
        self.network
    }

    /// The `server.address` value, if known.
    pub fn server_address(&self) -> Option<&str> {
        self.server_address.as_deref()
    }

    /// The `server.port` value, if known.
    pub fn server_port(&self) -> Option<u16> {
        self.server_port
    }

    /// The attributes this transport puts on a span; `client`: with `server.*`.
    pub(crate) fn attributes(&self, client: bool) -> Vec<KeyValue> {
        let mut out = Vec::with_capacity(4);
        if let Some(network) = self.network {
            out.push(KeyValue::new(mcp::NETWORK_TRANSPORT, network));
        }
        if let Some(protocol) = self.protocol {
            out.push(KeyValue::new(mcp::NETWORK_PROTOCOL_NAME, protocol));
        }
        if client {
            if let Some(address) = &self.server_address {
                out.push(KeyValue::new(semconv::SERVER_ADDRESS, address.clone()));
            }
            if let Some(port) = self.server_port {
                out.push(KeyValue::new(semconv::SERVER_PORT, i64::from(port)));
            }
        }
        out
    }
}
