#!/usr/bin/env bash
# The short forms of the reliability campaign, for scripts/test.sh: 20,000 fuzzed protocol lines, 50
# clients for 20 s, and each fault once (10 SIGKILLs). Ends with "N passed, M failed".
# Usage: scripts/reliability/short.sh --agnod PATH
set -uo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
[ "${1:-}" = "--agnod" ] && [ -n "${2:-}" ] || { echo "usage: $0 --agnod PATH" >&2; exit 2; }
AGNOD="$2"
passed=0; failed=0
step() {  # NAME COMMAND...
  local name=$1; shift
  echo "[reliability] $name"
  if "$@"; then passed=$((passed + 1)); echo "[reliability] ok: $name"; else failed=$((failed + 1)); echo "[reliability] FAILED: $name"; fi
}
step "fuzz, 20,000 lines" python3 "$DIR/fuzz.py" --agnod "$AGNOD" --lines 20000
step "load, 50 clients for 20 s" python3 "$DIR/load.py" --agnod "$AGNOD" --clients 50 --seconds 20
step "faults (short)" python3 "$DIR/faults.py" --agnod "$AGNOD" --short
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
