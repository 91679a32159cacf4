#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs the real backends the end-to-end
# tests talk to (cached under target/backends), then runs every test of the workspace.
#
# Every test target runs even when one fails (`--no-fail-fast`); the last line counts the
# passed and failed tests over all targets and names the failed ones, and the exit status is
# non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# Disk is what CI machines run short of: no incremental caches and line tables only in the
# test builds (set either variable to override), and the space used is printed at the end.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}
disk_report() {
    echo "== disk: target/ holds $(du -sh target 2>/dev/null | cut -f1); $(df -h --output=avail . | tail -1 | tr -d ' ') free ($1)"
}
disk_report "before"

bash .ci/install-backends.sh || exit 1
export LLMTRACE_BACKENDS=1

log_dir=target/ci-logs
mkdir -p "$log_dir"
status=0

run() {
    local name=$1
    shift
    echo "== $*"
    "$@" 2>&1 | tee "$log_dir/$name.log"
    local code=${PIPESTATUS[0]}
    [ "$code" -eq 0 ] || status=1
}

# The declared minimum Rust version (`rust-version` in Cargo.toml) is checked, not assumed: the
# library crates, the binaries (the `llmtrace` command) and their dependencies compile with
# that toolchain (its own target dir).
msrv=$(sed -n 's/^rust-version = "\([^"]*\)".*/\1/p' Cargo.toml)
msrv_check() {
    rustup toolchain install "$msrv" --profile minimal --no-self-update >/dev/null &&
        cargo "+$msrv" check --workspace --lib --bins --locked --target-dir target/msrv
}
run msrv msrv_check

run tests cargo test --workspace --all-targets --no-fail-fast
run doctests cargo test --workspace --doc --no-fail-fast

# A short run of every fuzz target from its seeds (docs/fuzzing.md); FUZZ_SECONDS=0 skips it.
if [ "${FUZZ_SECONDS:-10}" != 0 ]; then
    run fuzz bash .ci/fuzz.sh
fi

# The summary: `test result:` lines of every target, and the names of failed tests.
passed=$(grep -h '^test result:' "$log_dir"/tests.log "$log_dir"/doctests.log |
    sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s += $1} END {print s + 0}')
failed=$(grep -h '^test result:' "$log_dir"/tests.log "$log_dir"/doctests.log |
    sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s += $1} END {print s + 0}')
targets_failed=$(grep -hc '^error: test failed' "$log_dir"/tests.log "$log_dir"/doctests.log |
    awk '{s += $1} END {print s + 0}')
failures=$(grep -h -E '^test .* \.\.\. FAILED$' "$log_dir"/tests.log "$log_dir"/doctests.log |
    sed -E 's/^test (.*) \.\.\. FAILED$/\1/' | sort -u | tr '\n' ' ')
disk_report "after the tests"
echo "== summary: $passed tests passed, $failed failed, $targets_failed targets failed${failures:+: $failures}"
exit "$status"
