"""A Python MCP client (mcp 2.3, traced) that calls `get_weather` once, inside a span `py-agent`:
on the MCP server given on its command line, spawned and spoken to over stdio, or with
`--url URL` on the streamable-HTTP server at URL."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from otel_setup import setup  # noqa: E402

provider = setup("py-agent")

from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from opentelemetry import trace  # noqa: E402


def transport(args: list[str]):
    if args[0] == "--url":
        return streamable_http_client(args[1])
    params = StdioServerParameters(command=args[0], args=args[1:], env=dict(os.environ))
    return stdio_client(params)


async def main(args: list[str]) -> None:
    tracer = trace.get_tracer("py-agent")
    async with transport(args) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await session.initialize()
            with tracer.start_as_current_span("py-agent"):
                result = await session.call_tool("get_weather", {"city": "Oslo"})
    text = result.content[0].text if result.content else ""
    print(text)
    if "Oslo" not in text:
        raise SystemExit(f"unexpected tool result: {result}")


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1:]))
    finally:
        provider.shutdown()
