#!/usr/bin/env bash
# End to end in a booted systemd: boots systemd 252 in systemd-nspawn (this machine's PID 1 is not
# systemd), installs agnod there with scripts/install.sh, and checks what a user relies on:
# `systemctl start agnod`, two users running and cancelling through agnoctl, `journalctl -u agnod` with the
# runs' AGNO_* fields, `systemctl reload`, a stopped watchdog ping restarting agnod, `systemctl stop`
# ending a streaming run CANCELLED with exit 0, unit verification and the security score, uninstall.
#
#   scripts/e2e-systemd.sh [--binaries DIR]   (default: build debug and use it; needs root)
# Prints "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/common.sh"

BINARIES=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binaries) BINARIES="$2"; shift 2 ;;
    *) die "unknown option '$1'" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null || ensure_packages systemd-container
if [ -z "$BINARIES" ]; then
  ensure_swift
  swift build --package-path "$ROOT" --product agnod >&2 && swift build --package-path "$ROOT" --product agnoctl >&2 || die "build failed"
  BINARIES="$(swift build --package-path "$ROOT" --show-bin-path)"
fi
BINARIES="$(cd "$BINARIES" && pwd -P)"

WORK="$(mktemp -d /tmp/agnod-e2e.XXXXXX)"
PASSED=0 FAILED=0
ok() { PASSED=$((PASSED + 1)); log "ok: $*"; }
bad() { FAILED=$((FAILED + 1)); log "FAILED: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# A scripted OpenAI-compatible model on the host's loopback (the container shares the network):
# 200 chunks, one every 20 ms, so a run lasts about 4 s per step and can be cancelled mid-stream.
# A free port (a fixed one could be held by a model server another run left behind).
MODEL_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "
import sys, time; sys.path.insert(0, '$ROOT/scripts')
from measure import serve
serve($MODEL_PORT, 0.02, None, tokens=200)
while True: time.sleep(3600)
" >"$WORK/model.log" 2>&1 &
MODEL_PID=$!
# A second model that calls the MCP stub's tool whenever tools are offered (then answers in text).
TOOL_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c "
import sys, time; sys.path.insert(0, '$ROOT/scripts')
from measure import serve
serve($TOOL_PORT, 0, None, tokens=5, tool='stub_echo')
while True: time.sleep(3600)
" >"$WORK/tool-model.log" 2>&1 &
TOOL_MODEL_PID=$!

NSPAWN_PID=""
cleanup() {
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    kill -TERM "$NSPAWN_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NSPAWN_PID" 2>/dev/null
  fi
  kill "$MODEL_PID" "$TOOL_MODEL_PID" 2>/dev/null
  if [ -n "${PG_PID:-}" ]; then kill -INT "$PG_PID" 2>/dev/null; wait "$PG_PID" 2>/dev/null; fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT

# Boot. /usr is the host's, made writable by an overlay (the install writes /usr/local and /usr/lib);
# the source tree and binaries are bound read-only; /etc and /var start empty (volatile).
mkdir -p "$WORK/usr-upper"
log "booting systemd in systemd-nspawn"
systemd-nspawn -D / --volatile=yes --register=no --keep-unit -b --console=pipe \
  --overlay=/usr:"$WORK/usr-upper":/usr --bind-ro=/opt/swift --bind-ro="$ROOT":/opt/agnod-src \
  --bind-ro="$BINARIES":/opt/agnod-bin </dev/null >"$WORK/nspawn.log" 2>&1 &
NSPAWN_PID=$!
PID1=""
for _ in $(seq 1 100); do
  PID1="$(pgrep -P "$NSPAWN_PID" -x systemd || true)"
  [ -n "$PID1" ] && break
  sleep 0.1
done
[ -n "$PID1" ] || { tail -20 "$WORK/nspawn.log" >&2; die "systemd did not start in the container"; }
in_ct() { nsenter -t "$PID1" -a -- "$@"; }
for _ in $(seq 1 300); do
  state="$(in_ct systemctl is-system-running 2>/dev/null || true)"
  case "$state" in running|degraded) break ;; esac
  sleep 0.1
done
log "container systemd is $state"

# Install (twice: the second run must keep a changed configuration).
check "install.sh" in_ct /opt/agnod-src/scripts/install.sh --binaries /opt/agnod-bin
check "agnod.socket is active after install" test "$(in_ct systemctl is-active agnod.socket)" = active
check "user agnod and group agnod-admin exist" in_ct sh -c 'getent passwd agnod >/dev/null && getent group agnod-admin >/dev/null'
in_ct sh -c "cat > /etc/agnod/agnod.yaml" <<YAML
socket: /run/agnod/agnod.sock
state_dir: /var/lib/agnod
workflows_dir: /etc/agnod/workflows
admin_group: agnod-admin
providers:
  local:
    base_url: http://127.0.0.1:$MODEL_PORT/v1
  tooling:
    base_url: http://127.0.0.1:$TOOL_PORT/v1
default_model: local:smollm2
metrics:
  listen: /run/agnod-metrics/metrics.sock
mcp_servers:
  stub:
    command: [/usr/bin/python3, /opt/agnod-src/scripts/mcp-stub.py]
YAML
in_ct sh -c "cat > /etc/agnod/workflows/mcp.yaml" <<YAML
name: mcp
tool_call_limit: 1
agents:
  caller: {model: "tooling:m", tools: [stub.echo], instructions: Use the tool.}
steps:
  - {name: call, agent: caller}
YAML
check "install.sh again" in_ct /opt/agnod-src/scripts/install.sh --binaries /opt/agnod-bin
check "a changed agnod.yaml is kept, the new one put beside it" in_ct sh -c "grep -q $MODEL_PORT /etc/agnod/agnod.yaml && test -f /etc/agnod/agnod.yaml.new"
check "systemd-analyze verify prints nothing" test -z "$(in_ct systemd-analyze verify --man=no /etc/systemd/system/agnod.socket /etc/systemd/system/agnod.service 2>&1)"
score="$(in_ct systemd-analyze security --offline=yes /etc/systemd/system/agnod.service 2>/dev/null | sed -n 's/.*Overall exposure level for agnod.service: \([0-9.]*\).*/\1/p')"
check "security exposure $score <= 2.0" python3 -c "import sys; sys.exit(0 if float('${score:-99}') <= 2.0 else 1)"

# Start, as the user does. A watchdog of 2 s (instead of 30) so that the watchdog check below is quick.
in_ct mkdir -p /etc/systemd/system/agnod.service.d
in_ct sh -c 'printf "[Service]\nWatchdogSec=2\nTimeoutAbortSec=5\n" > /etc/systemd/system/agnod.service.d/e2e.conf'
in_ct systemctl daemon-reload
check "systemctl start agnod" in_ct systemctl start agnod
check "agnod is active" test "$(in_ct systemctl is-active agnod)" = active
check "agnod runs as user agnod" test "$(in_ct ps -o user= -p "$(in_ct systemctl show -p MainPID --value agnod)")" = agnod

# An MCP tool server under the unit's hardening (spawned through setpriv --pdeathsig), called by a run.
for _ in $(seq 1 100); do in_ct journalctl -u agnod --no-pager 2>/dev/null | grep -q "MCP server started" && break; sleep 0.1; done
check "journal: the MCP server started under the hardened unit" sh -c "nsenter -t $PID1 -a -- journalctl -u agnod --no-pager | grep -q 'MCP server started'"
in_ct journalctl -u agnod --no-pager 2>/dev/null | grep -i -E "mcp|setpriv|tool server" | head -20 >&2 || true
MAIN="$(in_ct systemctl show -p MainPID --value agnod)"
check "the MCP server runs as agnod's child, as user agnod" sh -c "test \"\$(nsenter -t $PID1 -a -- ps -o user= --ppid $MAIN | head -n1 | tr -d ' ')\" = agnod"
in_ct agnoctl run mcp "call the tool" --run-id mcp-1 >"$WORK/mcp.out" 2>"$WORK/mcp.err"
check "a run calls the MCP tool and completes (exit 0)" test $? = 0
check "the tool's result reached the run" sh -c "nsenter -t $PID1 -a -- agnoctl tool-calls mcp-1 --json | grep -q 'echo: ok'"

# Two users.
in_ct useradd -m alice; in_ct useradd -m bob; in_ct groupadd -f agnod-admin
as() { local u=$1; shift; in_ct setpriv --reuid="$(in_ct id -u "$u")" --regid="$(in_ct id -g "$u")" --init-groups -- "$@"; }
status_is() { as "$1" agnoctl status "$2" | grep -q "$3"; }
as alice agnoctl run article "How rivers shape valleys" --run-id alice-1 >"$WORK/alice.out" 2>"$WORK/alice.err"
check "alice's run completes (exit 0)" test $? = 0
check "alice's run streamed content" grep -q "word" "$WORK/alice.out"
as bob agnoctl run article "Deserts at night" --run-id bob-1 >"$WORK/bob.out" 2>"$WORK/bob.err" &
BOB=$!
for _ in $(seq 1 100); do grep -q "word" "$WORK/bob.out" 2>/dev/null && break; sleep 0.1; done
check "bob cancels his own run from another process" as bob agnoctl cancel bob-1
wait $BOB; rc=$?
check "bob's streaming agnoctl exits 130 (CANCELLED)" test "$rc" = 130
as bob agnoctl status alice-1 >"$WORK/bob-status.out" 2>"$WORK/bob-status.err"
check "bob cannot see alice's run (not found)" sh -c "test $? = 1 && grep -q \"no run 'alice-1'\" '$WORK/bob-status.err'"

# Metrics: the endpoint on a Unix socket under the hardened unit, and the op for any user (agnoctl metrics).
in_ct curl -sf --unix-socket /run/agnod-metrics/metrics.sock http://agnod/metrics >"$WORK/metrics.out" 2>&1
check "metrics: GET /metrics on /run/agnod-metrics/metrics.sock counts alice's completed run" \
  grep -q 'agnod_runs_finished_total{status="COMPLETED",workflow="article"} 1' "$WORK/metrics.out"
as bob agnoctl metrics >"$WORK/bob-metrics.out" 2>&1
check "metrics: bob reads them with agnoctl metrics (his cancel counted)" \
  grep -q 'agnod_runs_finished_total{status="CANCELLED",workflow="article"} 1' "$WORK/bob-metrics.out"
check "metrics: a gauge per user who started a run (alice has no live run: 0)" grep -q 'agnod_active_runs{user="alice"} 0' "$WORK/bob-metrics.out"

# journalctl -u agnod shows the runs with their fields.
sleep 0.2  # (journald writes asynchronously; the reads below retry for up to 5 s)
journal_has() { for _ in $(seq 1 50); do in_ct journalctl -u agnod -o json "$@" 2>/dev/null | grep -q . && return 0; sleep 0.1; done; return 1; }
check "journal: alice's run completed, with AGNO_USER" journal_has AGNO_RUN_ID=alice-1 AGNO_USER=alice AGNO_STATUS=COMPLETED MESSAGE_ID=30ac424d05fa4ea4bed4bdcbf5f0409b
check "journal: bob's run cancelled, with AGNO_UID" journal_has AGNO_RUN_ID=bob-1 AGNO_UID="$(in_ct id -u bob)" MESSAGE_ID=cdf2bb28c3e7476d934502be2fbde0dd
check "journal: no run content in agnod's entries" sh -c "! nsenter -t $PID1 -a -- journalctl -u agnod -o json | grep -q 'How rivers shape valleys'"

# Reload keeps the process and the runs.
PID_BEFORE="$(in_ct systemctl show -p MainPID --value agnod)"
check "systemctl reload agnod" in_ct systemctl reload agnod
check "reload keeps the process" test "$(in_ct systemctl show -p MainPID --value agnod)" = "$PID_BEFORE"
check "journal: configuration reloaded" journal_has MESSAGE_ID=d3c90356b6464c6db48198dc970537e4

# A stopped watchdog ping (the process is frozen) gets agnod restarted; the run table survives.
in_ct kill -STOP "$PID_BEFORE"
for _ in $(seq 1 300); do
  now="$(in_ct systemctl show -p MainPID --value agnod)"
  [ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$PID_BEFORE" ] && [ "$(in_ct systemctl is-active agnod)" = active ] && break
  sleep 0.1
done
check "a frozen agnod is restarted by the watchdog (pid $PID_BEFORE -> $now)" test "$now" != "$PID_BEFORE" -a "$now" != 0
check "journal: systemd saw the watchdog timeout" sh -c "nsenter -t $PID1 -a -- journalctl -u agnod --no-pager | grep -qi watchdog"
check "alice's run is still there after the restart" status_is alice alice-1 COMPLETED

# systemctl stop ends a streaming run CANCELLED and agnod exits 0.
as alice agnoctl run article "Glaciers" --run-id alice-2 >"$WORK/alice2.out" 2>"$WORK/alice2.err" &
ALICE=$!
for _ in $(seq 1 100); do grep -q "word" "$WORK/alice2.out" 2>/dev/null && break; sleep 0.1; done
check "systemctl stop agnod" in_ct systemctl stop agnod
wait $ALICE; rc=$?
check "the streaming run ends CANCELLED (agnoctl exit 130)" test "$rc" = 130
check "agnod exited 0 (Result=success)" test "$(in_ct systemctl show -p Result --value agnod)" = success
check "journal: agnod said it was stopping" journal_has MESSAGE_ID=55eac18e177749ad9b89085e294ea689
check "the socket still listens after stop, and starts agnod again" status_is alice alice-2 CANCELLED

# A shared PostgreSQL store, its password a systemd credential (LoadCredential=). A real PostgreSQL 15 on the
# host's loopback (the container shares the network), run as user postgres from a temp dir.
ensure_packages postgresql
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$(mktemp -d /tmp/agnod-e2e-pg.XXXXXX)"
chown postgres:postgres "$PG_DIR"
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DOWN_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PG_PASSWORD="pw-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
printf '%s' "$PG_PASSWORD" >"$PG_DIR/pw"
chown postgres "$PG_DIR/pw"
as_pg() { setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; }
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U agnod --pwfile "$PG_DIR/pw" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >"$WORK/initdb.log" 2>&1
setpriv --reuid=postgres --regid=postgres --clear-groups -- "$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -k "$PG_DIR" -c listen_addresses=127.0.0.1 >"$WORK/pg.log" 2>&1 &
PG_PID=$!
for _ in $(seq 1 100); do "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT" && break; sleep 0.1; done
psql_e2e() { psql -h "$PG_DIR" -p "$PG_PORT" -U agnod -At "$@"; }
check "PostgreSQL 15 started for the shared store" psql_e2e -d postgres -c "CREATE DATABASE agnod_e2e"
in_ct mkdir -p /etc/agnod/credentials
in_ct sh -c "umask 077; printf '%s' '$PG_PASSWORD' > /etc/agnod/credentials/agnod-db"
in_ct sh -c 'printf "[Service]\nLoadCredential=agnod-db:/etc/agnod/credentials/agnod-db\n" > /etc/systemd/system/agnod.service.d/store.conf'
in_ct sh -c "cp /etc/agnod/agnod.yaml /etc/agnod/agnod.yaml.sqlite && cat >> /etc/agnod/agnod.yaml" <<YAML
store:
  backend: postgres
  url: postgres://agnod@127.0.0.1:$DOWN_PORT/agnod_e2e
  password_credential: agnod-db
  host_id: e2e-host
YAML
in_ct systemctl stop agnod >/dev/null 2>&1  # (a client's connect started it again on the SQLite configuration)
in_ct systemctl daemon-reload
in_ct systemctl start agnod >/dev/null 2>&1
for _ in $(seq 1 100); do in_ct journalctl -u agnod --no-pager 2>/dev/null | grep -q "127.0.0.1:$DOWN_PORT" && break; sleep 0.1; done
in_ct systemctl status agnod --no-pager -n 20 >"$WORK/pg-down-status.out" 2>&1
check "an unreachable database: systemctl status names its host and port" grep -q "cannot connect to 127.0.0.1:$DOWN_PORT" "$WORK/pg-down-status.out"
check "agnod is not active while its database is unreachable" test "$(in_ct systemctl is-active agnod)" != active
in_ct systemctl stop agnod >/dev/null 2>&1
in_ct systemctl reset-failed agnod >/dev/null 2>&1
in_ct sed -i "s/127.0.0.1:$DOWN_PORT/127.0.0.1:$PG_PORT/" /etc/agnod/agnod.yaml
check "systemctl start agnod on PostgreSQL" in_ct systemctl start agnod
as alice agnoctl run article "Tides" --run-id alice-pg >"$WORK/alice-pg.out" 2>"$WORK/alice-pg.err"
check "alice's run on the shared store completes (exit 0)" test $? = 0
check "the run is a row in PostgreSQL, COMPLETED" test "$(psql_e2e -d agnod_e2e -c "SELECT status FROM runs WHERE run_id = 'alice-pg'")" = COMPLETED
check "the host holds its lease in the database" test "$(psql_e2e -d agnod_e2e -c "SELECT count(*) FROM hosts WHERE host_id = 'e2e-host'")" = 1
check "journal: the store opened on PostgreSQL" sh -c "nsenter -t $PID1 -a -- journalctl -u agnod -o json | grep 'store opened' | grep -q postgres"
check "the database password is in no journal entry and no status" sh -c "! nsenter -t $PID1 -a -- journalctl -u agnod -o json | grep -q '$PG_PASSWORD' && ! grep -q '$PG_PASSWORD' '$WORK/pg-down-status.out'"
in_ct systemctl stop agnod
check "a clean stop gives the lease back" test "$(psql_e2e -d agnod_e2e -c "SELECT count(*) FROM hosts")" = 0

check "uninstall.sh" in_ct /opt/agnod-src/scripts/uninstall.sh
check "uninstall removed the binaries and units" sh -c "! nsenter -t $PID1 -a -- test -e /usr/local/bin/agnod && ! nsenter -t $PID1 -a -- test -e /etc/systemd/system/agnod.service"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
