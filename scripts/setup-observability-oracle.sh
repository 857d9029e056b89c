#!/usr/bin/env bash
# Installs the observability tests' oracles into a cached venv, once; later runs reuse it:
#   prometheus_client (https://pypi.org/project/prometheus-client/): its text-format parser reads agnod's metrics;
#   opentelemetry-proto (https://pypi.org/project/opentelemetry-proto/): decodes the OTLP/HTTP protobuf spans agnod sends.
# MetricsTests and TracingTests use them through scripts/observability-oracle.py when AGNOD_OBS_PYTHON names this
# venv's python. Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints the `export` line on stdout, logs on stderr:
#   eval "$(scripts/setup-observability-oracle.sh)" && swift test --filter 'MetricsTests|TracingTests'
set -euo pipefail
source "$(dirname "$0")/common.sh"
lock_cache setup-observability-oracle
ensure_venv obs-venv 'import prometheus_client.parser, opentelemetry.proto.collector.trace.v1.trace_service_pb2' \
  prometheus_client opentelemetry-proto
echo "export AGNOD_OBS_PYTHON='$CACHE/obs-venv/bin/python'"
