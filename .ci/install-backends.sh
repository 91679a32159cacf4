#!/usr/bin/env bash
# Installs the real backends the end-to-end tests in tests/backends.rs talk to, all under
# target/backends/ (git-ignored), each step skipped when its result is already there:
#
#   target/backends/venv/              Python venv: Arize Phoenix + MLflow (pinned below, every
#                                      dependency by .ci/backends-constraints.txt)
#   target/backends/mcp-venv/          Python venv: the MCP SDK + openinference-instrumentation-mcp +
#                                      the OpenTelemetry SDK and OTLP/HTTP exporter (pinned below, every
#                                      dependency by tests/mcp/constraints.txt),
#                                      for tests/mcp_cross_language.rs; separate so its
#                                      opentelemetry pins cannot clash with Phoenix's or MLflow's
#   /usr/bin/chromium                  Debian's chromium (headless browser), only if missing
#   target/backends/gobin/builder      OpenTelemetry Collector Builder (ocb), from the Go module proxy
#   target/backends/otelcol-llmtrace   collector built by ocb from collector/builder-config.yaml
#   target/backends/jaeger             Jaeger v2 all-in-one (cmd/jaeger), from the Go module proxy
#
# Arguments name the steps to run (python, mcp, chromium, collector, jaeger); none: all of them.
#
# Idempotent and non-interactive (CI=true, no stdin). A step's stamp file records what it was
# built from, so changing a pin or the builder config rebuilds just that step.
#
# The collector and Jaeger are optional in the sense that a machine without Go or without the Go
# module proxy cannot build them: the exact error is then written to
# target/backends/otelcol-llmtrace.error (jaeger.error) and the collector (Jaeger) tests in
# tests/backends.rs fail with it. Everything else is required: any failure here exits non-zero.
#
# Environment:
#   LLMTRACE_BACKENDS_DIR   where to install (default: <repo>/target/backends)
#   LLMTRACE_BUILD_JOBS     parallel Go compile jobs (default 1 locally, 2 when CI=true)
#   LLMTRACE_KEEP_GO_CACHE  1 keeps the Go module and build caches of the two Go builds
#                           (target/backends/go, ~3 GB) for the next build; by default they are
#                           deleted once the binaries are in place, since CI disks are small
#   GO                      the go binary (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=${LLMTRACE_BACKENDS_DIR:-$ROOT/target/backends}
mkdir -p "$DIR"

# Verified to install and work together here (Python 3.11). mlflow 3.18.0 is not installable
# from the registry this machine reaches (its mlflow-skinny 3.18.0 is missing), so 3.17.2.
PHOENIX_VERSION=20.26.1
MLFLOW_VERSION=3.17.2
# The Python MCP side of tests/mcp_cross_language.rs, verified to install and work together here
# (Python 3.11). mcp 2.3 writes the MCP-convention spans itself (SERVER per request received,
# CLIENT per request sent) and injects/extracts the W3C context in params._meta;
# openinference-instrumentation-mcp 2.0.13 is the instrumentation for mcp 2.x (it carries the
# context through the transports). opentelemetry-instrumentation-mcp 0.62.4 is not used: it
# targets mcp 1.x and fails to instrument mcp 2.3 (it wraps `streamablehttp_client`, which mcp
# 2.x renamed `streamable_http_client`).
MCP_VERSION=2.3.0
OPENINFERENCE_MCP_VERSION=2.0.13
OTEL_PYTHON_VERSION=1.45.2
# Builder and component versions: keep in step with collector/builder-config.yaml.
OCB_VERSION=v0.161.0
# Jaeger v2, the collector-based all-in-one (tests run it with collector/jaeger.yaml).
JAEGER_VERSION=v1.76.0

# Both Go builds use one module cache and one build cache under $DIR/go (they share most of
# their modules), never the user's ~/go or ~/.cache/go-build.
GO_HOME=$DIR/go
go_env() {
    export GOFLAGS="-p=$1 -modcacherw -buildvcs=false" GOMAXPROCS=$1 GOTOOLCHAIN=local
    export GOPATH=$GO_HOME/path GOCACHE=$GO_HOME/cache GOWORK=off
}

log() { printf '[install-backends %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
elapsed() { echo "$(($(date +%s) - $1))s"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# ---------------------------------------------------------------- Python venvs
# A venv at $1 holding the packages $4…, every dependency pinned by the constraints file $2,
# which must import the modules $3. Rebuilt only when the packages, the constraints or the
# Python version change (its stamp), or when it no longer imports them.
python_venv() {
    local venv=$1 constraints=$2 imports=$3 stamp want start
    shift 3
    want="$* python=$(python3 --version 2>&1) constraints=$(hash_of "$constraints")"
    stamp=$venv/.llmtrace-stamp
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && "$venv/bin/python" -c "import $imports" 2>/dev/null; then
        log "$(basename "$venv") up to date ($want)"
        return
    fi
    start=$(date +%s)
    log "creating $venv with $want (minutes when cold)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    PIP_NO_INPUT=1 "$venv/bin/pip" install --quiet --no-input --progress-bar off \
        -c "$constraints" "$@"
    "$venv/bin/python" -c "import $imports" >/dev/null
    echo "$want" >"$stamp"
    log "$(basename "$venv") ready in $(elapsed "$start")"
}

# Phoenix + MLflow, for the backend tests.
install_python() {
    python_venv "$DIR/venv" "$ROOT/.ci/backends-constraints.txt" "phoenix, mlflow" \
        "arize-phoenix==$PHOENIX_VERSION" "mlflow==$MLFLOW_VERSION"
}

# The MCP SDK + its instrumentation + the OpenTelemetry SDK, for the cross-language MCP tests.
install_mcp_python() {
    python_venv "$DIR/mcp-venv" "$ROOT/tests/mcp/constraints.txt" \
        "mcp.server.mcpserver, openinference.instrumentation.mcp, opentelemetry.exporter.otlp.proto.http.trace_exporter" \
        "mcp==$MCP_VERSION" "openinference-instrumentation-mcp==$OPENINFERENCE_MCP_VERSION" \
        "opentelemetry-sdk==$OTEL_PYTHON_VERSION" \
        "opentelemetry-exporter-otlp-proto-http==$OTEL_PYTHON_VERSION"
}

# ---------------------------------------------------------------- Chromium (Debian)
install_chromium() {
    local start
    if [ -x /usr/bin/chromium ]; then
        log "chromium present: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
        return
    fi
    start=$(date +%s)
    log "installing Debian chromium"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo -n"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq </dev/null
    $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core </dev/null >/dev/null
    log "chromium installed in $(elapsed "$start"): $(/usr/bin/chromium --version 2>/dev/null | head -1)"
}

# ---------------------------------------------------------------- OpenTelemetry Collector
build_collector() {
    local bin=$DIR/otelcol-llmtrace err=$DIR/otelcol-llmtrace.error stamp want start go jobs
    want="$OCB_VERSION $(hash_of collector/builder-config.yaml)"
    stamp=$bin.stamp
    if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        log "collector up to date ($bin)"
        rm -f "$err"
        return
    fi
    go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
    if [ ! -x "$go" ] && ! command -v "$go" >/dev/null; then
        echo "no Go toolchain found (looked for go on PATH and /usr/local/go/bin/go)" >"$err"
        log "COLLECTOR NOT BUILT: $(cat "$err")"
        return
    fi
    if [ "${CI:-}" = true ]; then jobs=${LLMTRACE_BUILD_JOBS:-2}; else jobs=${LLMTRACE_BUILD_JOBS:-1}; fi
    start=$(date +%s)
    log "building the collector with ocb $OCB_VERSION (nice 19, $jobs job(s); minutes when cold)"
    rm -f "$bin" "$stamp" "$err"
    local build_log=$DIR/otelcol-build.log
    if ! (
        set -e
        go_env "$jobs"
        export GOBIN=$DIR/gobin
        if [ "$("$GOBIN/builder" version 2>/dev/null)" != "ocb version $OCB_VERSION" ]; then
            nice -n 19 "$go" install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
        fi
        # The builder writes sources + binary to dist.output_path (relative to the repo root).
        rm -rf "$ROOT/target/backends/otelcol-build"
        nice -n 19 "$GOBIN/builder" --config=collector/builder-config.yaml
        install -m 0755 "$ROOT/target/backends/otelcol-build/otelcol-llmtrace" "$bin"
    ) >"$build_log" 2>&1; then
        # Keep the lines that say why (e.g. a module the Go module proxy refuses).
        { grep -E 'rror|Forbidden|not available|no such host|dial tcp|timeout|go: ' "$build_log" | sort -u | head -20 || true
          echo "(full log: $build_log)"; } >"$err"
        log "COLLECTOR NOT BUILT after $(elapsed "$start"):"
        sed 's/^/    /' "$err"
        return
    fi
    echo "$want" >"$stamp"
    log "collector built in $(elapsed "$start"): $("$bin" --version 2>/dev/null | head -1)"
}

# ---------------------------------------------------------------- Jaeger (v2 all-in-one)
# Built like `go install …@version` but from a scratch module (`go get -tool`), with the Go
# caches under $DIR/go (go_env) so nothing outside target/ is written.
build_jaeger() {
    local bin=$DIR/jaeger err=$DIR/jaeger.error stamp want start go jobs
    want="github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION"
    stamp=$bin.stamp
    if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        log "jaeger up to date ($bin)"
        rm -f "$err"
        return
    fi
    go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
    if [ ! -x "$go" ] && ! command -v "$go" >/dev/null; then
        echo "no Go toolchain found (looked for go on PATH and /usr/local/go/bin/go)" >"$err"
        log "JAEGER NOT BUILT: $(cat "$err")"
        return
    fi
    if [ "${CI:-}" = true ]; then jobs=${LLMTRACE_BUILD_JOBS:-2}; else jobs=${LLMTRACE_BUILD_JOBS:-1}; fi
    start=$(date +%s)
    log "building jaeger $JAEGER_VERSION (nice 19, $jobs job(s); minutes when cold)"
    rm -f "$bin" "$stamp" "$err"
    local build_log=$DIR/jaeger-build.log work=$DIR/jaeger-build timer=()
    # Peak memory of the build in the log when GNU time is there.
    if [ -x /usr/bin/time ]; then timer=(/usr/bin/time -v); fi
    if ! (
        set -e
        go_env "$jobs"
        rm -rf "$work"
        mkdir -p "$work"
        cd "$work"
        nice -n 19 "$go" mod init llmtrace.invalid/jaeger-build
        nice -n 19 "$go" get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION"
        # The version Jaeger's own Makefile stamps in (`jaeger version` shows it).
        nice -n 19 "${timer[@]}" "$go" build -o "$work/jaeger" \
            -ldflags "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION" \
            github.com/jaegertracing/jaeger/cmd/jaeger
        install -m 0755 "$work/jaeger" "$bin"
        rm -f "$work/jaeger"
    ) >"$build_log" 2>&1; then
        # Keep the lines that say why (e.g. a module the Go module proxy refuses), not the
        # hundreds of `go: added …` progress lines of a successful `go get`.
        { grep -E 'rror|Forbidden|not available|no such host|dial tcp|timeout|go: |status' "$build_log" |
            grep -vE '^go: (added|downloading|finding|upgraded) ' | sort -u | head -20 || true
          echo "(full log: $build_log)"; } >"$err"
        log "JAEGER NOT BUILT after $(elapsed "$start"):"
        sed 's/^/    /' "$err"
        return
    fi
    echo "$want" >"$stamp"
    log "jaeger built in $(elapsed "$start"): $("$bin" version 2>/dev/null | sed -n 's/.*"gitVersion":"\([^"]*\)".*/jaeger \1/p' | head -1)$(
        grep -m1 'Maximum resident set size' "$build_log" | awk '{printf ", go build peak %d MB", $NF/1024}')"
}

# The Go caches are only needed while building; the binaries are stamped and kept.
drop_go_caches() {
    if [ ! -d "$GO_HOME" ] || [ "${LLMTRACE_KEEP_GO_CACHE:-}" = 1 ]; then return; fi
    log "removing the Go build caches ($(du -sh "$GO_HOME" 2>/dev/null | cut -f1); LLMTRACE_KEEP_GO_CACHE=1 keeps them)"
    rm -rf "$GO_HOME" "$DIR/otelcol-build" "$DIR/jaeger-build" "$DIR/gopath" "$DIR/gocache"
}

all_start=$(date +%s)
steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then steps=(python mcp chromium collector jaeger); fi
for step in "${steps[@]}"; do
    case $step in
        python) install_python ;;
        mcp) install_mcp_python ;;
        chromium) install_chromium ;;
        collector) build_collector ;;
        jaeger) build_jaeger ;;
        *) echo "unknown step $step (python, mcp, chromium, collector, jaeger)" >&2; exit 2 ;;
    esac
done
drop_go_caches
log "done in $(elapsed "$all_start"); target/backends holds $(du -sh "$DIR" 2>/dev/null | cut -f1), $(df -h --output=avail "$DIR" | tail -1 | tr -d ' ') free on its disk"
