#!/usr/bin/env bash
# Short fuzz run of every target (see docs/fuzzing.md): FUZZ_SECONDS per target (default 10),
# starting from the committed seeds. Installs cargo-fuzz if missing. libFuzzer needs nightly
# compiler flags: a nightly toolchain if one is installed, else the stable one with
# RUSTC_BOOTSTRAP=1 (the same compiler features, unlocked). No AddressSanitizer in CI: our crates
# have no `unsafe`, and it costs 3-6x in speed and memory; the long local run can add it.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${FUZZ_SECONDS:-10}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
if rustup run nightly rustc --version >/dev/null 2>&1; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

for target in $("${fuzz[@]}" list); do
    # A scratch corpus: the fuzzer adds to it, the committed seeds stay as they are.
    corpus="target/ci-corpus/$target"
    mkdir -p "$corpus"
    echo "== fuzz $target for ${seconds}s"
    log="target/ci-corpus/$target.log"
    dict=()
    if [ -f "dict/$target.dict" ]; then
        dict=("-dict=dict/$target.dict")
    fi
    status=0
    "${fuzz[@]}" run --sanitizer none "$target" "$corpus" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${dict[@]}" >"$log" 2>&1 || status=$?
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
    if [ "$status" -ne 0 ]; then
        echo "fuzz target $target failed (exit $status); its log:"
        tail -n 80 "$log"
        exit "$status"
    fi
done
