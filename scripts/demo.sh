#!/usr/bin/env bash
# The seed scenario on the embedded default model, from nothing: builds agnod (release), sets up the model,
# starts the model server and agnod in the background, streams `agnoctl run article …` in one process and
# cancels it from another after 8 seconds, prints the result like agno's cancel_run.py, then runs the
# workflow once more to completion, and stops everything it started.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_packages python3 python3-venv build-essential cmake pkg-config libsqlite3-dev sqlite3 libsystemd-dev
ensure_swift
log "building agnod and agnoctl (release)"
for product in agnod agnoctl; do swift build -c release --package-path "$ROOT" --product "$product" >&2; done
BIN="$(swift build -c release --package-path "$ROOT" --show-bin-path)"

WORK="$(mktemp -d /tmp/agnod-demo.XXXXXX)"
chmod 755 "$WORK"
MODEL_PORT="${AGNOD_DEMO_MODEL_PORT:-8181}"
cleanup() {
  [ -n "${AGNOD_PID:-}" ] && kill "$AGNOD_PID" 2>/dev/null && wait "$AGNOD_PID" 2>/dev/null || true
  [ -n "${MODEL_PID:-}" ] && kill "$MODEL_PID" 2>/dev/null && wait "$MODEL_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
start_model_server "$MODEL_PORT" "$WORK/model.log"

cat >"$WORK/agnod.yaml" <<YAML
socket: $WORK/agnod.sock
state_dir: $WORK/state
workflows_dir: $ROOT/systemd/workflows
providers:
  local:
    base_url: http://127.0.0.1:$MODEL_PORT/v1
default_model: local:smollm2
YAML
start_agnod "$BIN/agnod" "$WORK/agnod.yaml" "$WORK/agnod.log"
export AGNOD_SOCKET="$WORK/agnod.sock"
AGNOCTL="$BIN/agnoctl"

echo "🚀 Starting workflow run that will be cancelled after 8 seconds..."
RUN_ID="$("$AGNOD_MODEL_PYTHON" -c 'import uuid; print(uuid.uuid4())')"
set +e
"$AGNOCTL" run --run-id "$RUN_ID" article "Write a very long story about a dragon who learns to code. Make it at least 2000 words with detailed descriptions and dialogue. Take your time and be very thorough." &
RUNNER=$!
( sleep 8; echo; echo "⏹️  Cancelling run $RUN_ID from another process (agnoctl cancel)..." >&2; "$AGNOCTL" cancel "$RUN_ID" >&2 ) &
CANCELLER=$!
wait "$RUNNER"; RUN_EXIT=$?
wait "$CANCELLER"
set -e
STATUS_JSON="$("$AGNOCTL" status --json "$RUN_ID")"
RESULTS="$("$AGNOD_MODEL_PYTHON" - "$STATUS_JSON" "$RUN_EXIT" <<'PY'
import json, sys
run = json.loads(sys.argv[1])
print("=" * 50)
print("📊 RESULTS:")
print("=" * 50)
print(f"Status: {run['status']}")
print(f"Run ID: {run['run_id']}")
print(f"Was Cancelled: {run['status'] == 'CANCELLED'}")
print(f"agnoctl exit code: {sys.argv[2]}")
for s in run["steps"]:
    print(f"  step {s['index'] + 1} {s['name']}: {s['status']} ({len(s.get('content') or '')} chars)")
content = run.get("content") or ""
if content:
    print(f"Content Preview: {content[:200]}...")
PY
)"
echo
echo "$RESULTS"
echo
echo "🚀 A second run, to completion: agnoctl run article \"A dragon who learns to code\""
"$AGNOCTL" run --run-id "${RUN_ID}-2" article "A dragon who learns to code"
echo
"$AGNOCTL" status "${RUN_ID}-2"
echo
"$AGNOCTL" list

echo
echo "The seed scenario, once more:"
echo "$RESULTS"
