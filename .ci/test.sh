#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs the real backends the end-to-end
# tests talk to (cached under target/backends), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x .ci/install-backends.sh ] || [ -f .ci/install-backends.sh ]; then
    bash .ci/install-backends.sh
    export LLMTRACE_BACKENDS=1
fi

cargo test --workspace --all-targets
cargo test --workspace --doc
