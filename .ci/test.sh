#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs the real backends the end-to-end
# tests talk to (cached under target/backends), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-backends.sh
export LLMTRACE_BACKENDS=1

cargo test --workspace --all-targets
cargo test --workspace --doc

# A short run of every fuzz target from its seeds (docs/fuzzing.md); FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-10}" != 0 ]; then
    bash .ci/fuzz.sh
fi
