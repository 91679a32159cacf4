"""OpenTelemetry for the test's Python MCP processes: OTLP/HTTP (protobuf) to the receiver the
Rust test runs (OTEL_EXPORTER_OTLP_ENDPOINT; none: no export), spans exported as they end, and the
openinference-instrumentation-mcp instrumentor, which carries the W3C context through the MCP
transports in params._meta. The MCP SDK (mcp 2.3) writes the MCP spans itself: a SERVER span
per request received (`tools/call get_weather`) and a CLIENT span per request sent
(`MCP send tools/call get_weather`), both with the convention's attributes."""

import os

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor


def setup(service_name: str) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").rstrip("/")
    if endpoint:  # without one, spans are made and dropped
        exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    # Before the MCP modules are imported: the instrumentor hooks their import.
    from openinference.instrumentation.mcp import MCPInstrumentor

    MCPInstrumentor().instrument()
    return provider
