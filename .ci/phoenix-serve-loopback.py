"""Run `phoenix serve` with its OTLP gRPC receiver bound to 127.0.0.1 only.

Arize Phoenix (checked with arize-phoenix 20.26.1) binds the HTTP server to
PHOENIX_HOST, but its OTLP gRPC receiver always to "[::]:$PHOENIX_GRPC_PORT"
(all interfaces) and offers no setting for that host. Our tests and CI must
only listen on loopback, so this launcher rewrites that one bind address
before starting the normal Phoenix entry point. Everything else is stock
Phoenix, configured by the usual PHOENIX_* environment variables.

Usage: <venv>/bin/python .ci/phoenix-serve-loopback.py   (same as `phoenix serve`)
"""

import os
import sys

import grpc.aio._server as _grpc_aio_server

_original_add_insecure_port = _grpc_aio_server.Server.add_insecure_port
_original_add_secure_port = _grpc_aio_server.Server.add_secure_port
_HOST = os.environ.get("PHOENIX_GRPC_HOST", "127.0.0.1")


def _loopback(address: str) -> str:
    for wildcard in ("[::]:", "0.0.0.0:"):
        if address.startswith(wildcard):
            return f"{_HOST}:{address[len(wildcard):]}"
    return address


def _add_insecure_port(self, address):  # type: ignore[no-untyped-def]
    return _original_add_insecure_port(self, _loopback(address))


def _add_secure_port(self, address, server_credentials):  # type: ignore[no-untyped-def]
    return _original_add_secure_port(self, _loopback(address), server_credentials)


_grpc_aio_server.Server.add_insecure_port = _add_insecure_port  # type: ignore[method-assign]
_grpc_aio_server.Server.add_secure_port = _add_secure_port  # type: ignore[method-assign]

if __name__ == "__main__":
    from phoenix.server.main import main

    sys.argv = ["phoenix", "serve", *sys.argv[1:]]
    sys.exit(main())
