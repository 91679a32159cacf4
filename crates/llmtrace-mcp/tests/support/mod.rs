//! The MCP server the tests call, and helpers to run a client against it in one process.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use llmtrace_mcp::{PeerExt as _, ServerHandlerExt as _, TracedPeer, Transport};
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::service::{RequestContext, RoleServer, RunningService};
use rmcp::{schemars, tool, tool_handler, tool_router, RoleClient, ServerHandler, ServiceExt as _};

/// Set when the `slow` tool saw its request cancelled.
pub(crate) static SLOW_CANCELLED: AtomicBool = AtomicBool::new(false);

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct City {
    pub(crate) city: String,
}

/// Tools: `get_weather` (looks the city up in a `retrieval forecasts` span), `flaky` (returns
/// `isError: true`).
#[derive(Debug, Clone)]
pub(crate) struct WeatherServer {
    tool_router: ToolRouter<Self>,
}

impl WeatherServer {
    pub(crate) fn new() -> Self {
        WeatherServer {
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl WeatherServer {
    #[tool(description = "The weather in a city")]
    async fn get_weather(&self, Parameters(City { city }): Parameters<City>) -> String {
        let lookup = llmtrace::retrieval("forecasts").start();
        let _in_lookup = lookup.enter();
        format!("{city}: -3°C, snow")
    }

    #[tool(description = "Runs until the client cancels it (or 10 s)")]
    async fn slow(&self, context: RequestContext<RoleServer>) -> String {
        tokio::select! {
            () = context.ct.cancelled() => {
                SLOW_CANCELLED.store(true, Ordering::SeqCst);
                "cancelled".to_owned()
            }
            () = tokio::time::sleep(Duration::from_secs(10)) => "done".to_owned(),
        }
    }

    #[tool(description = "Always fails")]
    async fn flaky(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text("upstream weather service down")])
    }
}

#[tool_handler]
impl ServerHandler for WeatherServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// A traced server and a client connected by an in-memory pipe; the client is returned running
/// (cancel it to end the session).
pub(crate) async fn connect() -> RunningService<RoleClient, ()> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    let server = WeatherServer::new().traced(Transport::stdio());
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ().serve(client_io).await.expect("the client initializes")
}

pub(crate) fn traced(client: &RunningService<RoleClient, ()>) -> TracedPeer {
    client.traced(Transport::stdio())
}

pub(crate) fn args(city: &str) -> rmcp::model::JsonObject {
    let mut object = serde_json::Map::new();
    object.insert(
        "city".to_owned(),
        serde_json::Value::String(city.to_owned()),
    );
    object
}
