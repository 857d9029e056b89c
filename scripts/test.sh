#!/usr/bin/env bash
# The whole test suite, from nothing: Debian packages, the embedded model (cached), a debug build,
# the Swift tests (unit, integration over the real socket, systemd notify/socket activation/journald, and
# real-model tests), the protocol smoke check from ../shared when it is there, and the end-to-end test in
# a booted systemd (scripts/e2e-systemd.sh).
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_packages python3 python3-venv build-essential cmake pkg-config libsqlite3-dev sqlite3 libsystemd-dev systemd-container postgresql curl
ensure_swift
WORK="$(mktemp -d /tmp/agnod-test.XXXXXX)"
cleanup() {
  # daemons of tests that crashed or timed out (their configs live in /tmp/agnod-test-*)
  pkill -f -- "--config /tmp/agnod-test-" 2>/dev/null || true
  # PostgreSQL servers of a test process that was killed before its atexit could stop them
  pkill -INT -f -- "-D /tmp/agnod-pg-test-" 2>/dev/null || true
  [ -n "${MODEL_PID:-}" ] && kill "$MODEL_PID" 2>/dev/null && wait "$MODEL_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

log "building (debug, with tests)"
swift build --build-tests --package-path "$ROOT" >&2
BIN="$(swift build --package-path "$ROOT" --show-bin-path)"

# The real model: the tests that use it run when AGNOD_TEST_MODEL_URL is set.
MODEL_PORT="${AGNOD_TEST_MODEL_PORT:-18191}"
start_model_server "$MODEL_PORT" "$WORK/model.log"
export AGNOD_TEST_MODEL_URL="http://127.0.0.1:$MODEL_PORT/v1"
export AGNOD_BIN_DIR="$BIN"
# MCP servers from PyPI (cached venvs): the MCP tests run when these are set.
eval "$("$ROOT/scripts/setup-mcp.sh")"
# cel-python (cached venv): the oracle the CEL evaluator's tests compare against.
eval "$("$ROOT/scripts/setup-cel-oracle.sh")"
# prometheus_client and opentelemetry-proto (cached venv): the oracles of the metrics and tracing tests.
eval "$("$ROOT/scripts/setup-observability-oracle.sh")"

# Runs `swift test` with ARGS; adds its test and failure counts; sets the named variable to its exit status.
total=0
failed=0
run_swift_tests() {  # VAR NAME ARGS...
  local var=$1 name=$2; shift 2
  set +e
  swift test --skip-build --package-path "$ROOT" "$@" 2>&1 | tee "$WORK/$name.log"
  printf -v "$var" '%s' "${PIPESTATUS[0]}"
  set -e
  local n f
  n=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\}.*/\1/p' "$WORK/$name.log" | tail -n1)
  f=$(grep -c '^✘ Test .* failed after' "$WORK/$name.log" || true)
  total=$((total + ${n:-0}))
  failed=$((failed + ${f:-0}))
}

# The MCP tests start Python tool servers (seconds of CPU each): they run on their own, one at a time
# within each suite, so that they neither starve nor are starved by the rest on a 2-core machine.
MCP_SUITES='MCPServerTests|MCPHTTPTests|MCPToolTests'
# The shared-store suites start a PostgreSQL 15 server and up to three agnod hosts each: on their own too.
PG_SUITES='PostgresRunStoreTests|MultiHostTests|ClusterFaultTests'
log "running the Swift tests"
run_swift_tests status swift-test --skip "$MCP_SUITES|$PG_SUITES"
log "running the MCP tests"
run_swift_tests mcp_status swift-test-mcp --filter "$MCP_SUITES"
[ "$mcp_status" -eq 0 ] || status=$mcp_status
log "running the PostgreSQL (several hosts) tests"
run_swift_tests pg_status swift-test-pg --filter "$PG_SUITES"
[ "$pg_status" -eq 0 ] || status=$pg_status

# Runs a suite that ends with "N passed, M failed"; adds its counts; sets the named variable to its exit status.
run_counted() {  # VAR NAME COMMAND...
  local var=$1 name=$2; shift 2
  set +e
  "$@" 2>&1 | tee "$WORK/$name.log"
  printf -v "$var" '%s' "${PIPESTATUS[0]}"
  set -e
  local p f
  p=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$WORK/$name.log" | tail -n1)
  f=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$WORK/$name.log" | tail -n1)
  total=$((total + ${p:-0} + ${f:-0}))
  failed=$((failed + ${f:-0}))
}

smoke=0
SMOKE="$ROOT/../shared/conformance/smoke.py"
if [ -f "$SMOKE" ]; then
  log "running the protocol smoke check"
  run_counted smoke smoke python3 "$SMOKE" --agnod "$BIN/agnod"
fi
log "running the reliability campaign's short forms (fuzz, load, faults)"
run_counted reliability reliability "$ROOT/scripts/reliability/short.sh" --agnod "$BIN/agnod"
log "running the end-to-end test in a booted systemd (systemd-nspawn)"
run_counted e2e e2e "$ROOT/scripts/e2e-systemd.sh" --binaries "$BIN"

if [ "$status" -ne 0 ] || [ "$smoke" -ne 0 ] || [ "$e2e" -ne 0 ] || [ "$reliability" -ne 0 ]; then
  [ "$failed" -gt 0 ] || failed=1
  log "FAILED (swift test: exit $status, smoke check: exit $smoke, reliability: exit $reliability, systemd end-to-end: exit $e2e)"
  passed=$((total - failed)); [ "$passed" -ge 0 ] || passed=0
  echo "$passed passed, $failed failed"
  exit 1
fi
log "all tests passed"
echo "$total passed, 0 failed"
