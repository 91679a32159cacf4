"""A Python MCP tool server (mcp 2.3, traced): the tool `get_weather` looks the city up in a span
of its own, beneath the SERVER span of the request. Over stdio; with `--http PORT`, streamable
HTTP on 127.0.0.1:PORT/mcp until killed."""

import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))

from otel_setup import setup  # noqa: E402

provider = setup("py-weather-server")

from mcp.server.mcpserver import MCPServer  # noqa: E402
from opentelemetry import trace  # noqa: E402

server = MCPServer("py-weather")
tracer = trace.get_tracer("py-weather-server")


@server.tool()
def get_weather(city: str) -> str:
    """Today's weather in a city."""
    with tracer.start_as_current_span("lookup forecast"):
        return f"{city}: rain, 12°C"


if __name__ == "__main__":
    try:
        if len(sys.argv) == 3 and sys.argv[1] == "--http":
            server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
        else:
            server.run("stdio")
    finally:
        provider.shutdown()
