#!/usr/bin/env bash
# The whole test suite, from nothing: Debian packages, the embedded model (cached), a debug build,
# the Swift tests (unit, integration over the real socket, and real-model tests), and the protocol
# smoke check from ../shared when it is there.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_packages python3 python3-venv build-essential cmake pkg-config
ensure_swift
WORK="$(mktemp -d /tmp/agnod-test.XXXXXX)"
cleanup() {
  # daemons of tests that crashed or timed out (their configs live in /tmp/agnod-test-*)
  pkill -f -- "--config /tmp/agnod-test-" 2>/dev/null || true
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

log "running the Swift tests"
status=0
swift test --skip-build --package-path "$ROOT" || status=$?

smoke=0
SMOKE="$ROOT/../shared/conformance/smoke.py"
if [ -f "$SMOKE" ]; then
  log "running the protocol smoke check"
  python3 "$SMOKE" --agnod "$BIN/agnod" || smoke=$?
fi
if [ "$status" -ne 0 ] || [ "$smoke" -ne 0 ]; then
  log "FAILED (swift test: $status, smoke: $smoke)"
  exit 1
fi
log "all tests passed"
