#!/usr/bin/env bash
# Installs the observability tests' oracles into a cached venv, once; later runs reuse it:
#   prometheus_client (https://pypi.org/project/prometheus-client/): its text-format parser reads agnod's metrics;
#   opentelemetry-proto (https://pypi.org/project/opentelemetry-proto/): decodes the OTLP/HTTP protobuf spans agnod sends.
# MetricsTests and TracingTests use them through scripts/observability-oracle.py when AGNOD_OBS_PYTHON names this
# venv's python. Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints the `export` line on stdout, logs on stderr:
#   eval "$(scripts/setup-observability-oracle.sh)" && swift test --filter 'MetricsTests|TracingTests'
set -euo pipefail
CACHE="${AGNOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agnod}"
PY="${PYTHON:-python3}"
VENV="$CACHE/obs-venv"
CHECK='import prometheus_client.parser, opentelemetry.proto.collector.trace.v1.trace_service_pb2, google.protobuf.json_format'
say() { printf '[setup-observability-oracle] %s\n' "$*" >&2; }
die() { printf '[setup-observability-oracle] ERROR: %s\n' "$*" >&2; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.setup-observability-oracle.lock"
flock 9 || die "could not lock $CACHE/.setup-observability-oracle.lock"

# venvs cannot be moved (their scripts name the path), so it is built in place and marked complete at the end;
# an interrupted build is redone.
if [ -f "$VENV/.agnod-complete" ] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
  say "obs-venv ready"
else
  say "installing prometheus_client and opentelemetry-proto into $VENV (PyPI)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "could not create a venv (apt-get install -y python3-venv)"
  "$VENV/bin/python" -m pip install --quiet prometheus_client opentelemetry-proto >&2 \
    || die "pip could not install prometheus_client and opentelemetry-proto (is PyPI reachable?)"
  "$VENV/bin/python" -c "$CHECK" || die "obs-venv: installed, but '$CHECK' fails"
  touch "$VENV/.agnod-complete"
fi
echo "export AGNOD_OBS_PYTHON='$VENV/bin/python'"
