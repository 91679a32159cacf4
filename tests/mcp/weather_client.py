"""A Python MCP client (mcp 2.3, traced) that spawns the MCP server given on its command line
over stdio and calls `get_weather` once, inside a span `py-agent`."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from otel_setup import setup  # noqa: E402

provider = setup("py-agent")

from mcp import ClientSession, StdioServerParameters, stdio_client  # noqa: E402
from opentelemetry import trace  # noqa: E402


async def main(command: list[str]) -> None:
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    tracer = trace.get_tracer("py-agent")
    async with stdio_client(params) as (read, write):
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
