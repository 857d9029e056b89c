#!/usr/bin/env bash
# The whole reliability campaign, long forms (about 30 minutes): 1,000,000 fuzzed protocol lines, 1,000
# clients for 10 minutes, every fault (100 SIGKILLs), and the durable-resume kill loop. Builds agnod in
# release mode first (cached in ~/.cache/agnod/bench-build like scripts/bench). The numbers it prints
# are the table in docs/reliability.md.
# Usage: scripts/reliability/run-all.sh [--agnod PATH]
set -euo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
source "$DIR/../common.sh"
if [ "${1:-}" = "--agnod" ]; then AGNOD="$2"; else
  BUILD="${AGNOD_BENCH_BUILD:-$HOME/.cache/agnod/bench-build}"
  log "building agnod (release) into $BUILD"
  swift build -c release --package-path "$ROOT" --scratch-path "$BUILD" --product agnod >&2
  AGNOD="$BUILD/release/agnod"
fi
OUT="$(mktemp -d /tmp/agnod-reliability.XXXXXX)"
status=0
run() { local name=$1; shift; log "$name"; "$@" 2>&1 | tee "$OUT/$name.txt" || status=1; }
run fuzz python3 "$DIR/fuzz.py" --agnod "$AGNOD" --lines 1000000
run load python3 "$DIR/load.py" --agnod "$AGNOD" --clients 1000 --seconds 600
run faults python3 "$DIR/faults.py" --agnod "$AGNOD"
run kill-loop env ROUNDS=10 "$DIR/../kill-loop.sh"
log "results in $OUT"
exit $status
