#!/usr/bin/env bash
# The long form of the durable-resume test: ROUNDS rounds (default 10) of the kill loop in
# Tests/AgnoIntegrationTests/DurableResumeTests.swift: five runs of a nested workflow streaming, agnod
# SIGKILLed after a random number of events, restarted, again and again until every run ended; each round
# checks every run ends with the uninterrupted run's output, every seq once, replays identical to live.
# Prints the kills of each round and the total. Needs a debug build with tests (scripts/test.sh makes one).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ROUNDS="${ROUNDS:-10}"
export AGNOD_RESUME_KILLS="${AGNOD_RESUME_KILLS:-200}"
export AGNOD_BIN_DIR="$(swift build --package-path "$ROOT" --show-bin-path)"
total=0
for round in $(seq 1 "$ROUNDS"); do
  out="$(swift test --skip-build --package-path "$ROOT" --filter 'DurableResumeTests/aRunKilled' 2>&1)" || { echo "$out" >&2; die "round $round failed"; }
  kills="$(echo "$out" | sed -n 's/.*durable-resume: \([0-9]*\) kills.*/\1/p')"
  echo "round $round: $kills kills, $(echo "$out" | grep -o 'durable-resume: .*')"
  total=$((total + kills))
done
echo "total: $total kills over $ROUNDS rounds, every run ended as the uninterrupted one"
