# Shared by the scripts: toolchain on PATH, Debian packages, builds, background processes.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"
log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Debian packages the build and tests need (installed once; apt-get update first, as this machine needs).
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "run as root to install ${missing[*]} (or install them yourself)"
    apt-get update -qq >&2 || die "apt-get update failed: is the Debian mirror reachable?"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  fi
}

# Cached Python venvs for tests and tools ($AGNOD_CACHE, default ~/.cache/agnod), outside the repo.
CACHE="${AGNOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agnod}"

# NAME CHECK PACKAGES...: a venv $CACHE/NAME where CHECK imports, built once from PyPI; later calls reuse it.
# venvs cannot be moved (their scripts name the path), so it is built in place and marked complete at the
# end; an interrupted build is redone. Callers hold a lock (flock) when several may run at once.
ensure_venv() {
  local name=$1 check=$2; shift 2
  local venv="$CACHE/$name"
  if [ -f "$venv/.agnod-complete" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    log "$name ready"
    return
  fi
  log "installing $* into $venv (PyPI)"
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv" || die "could not create a venv (apt-get install -y python3-venv)"
  "$venv/bin/python" -m pip install --quiet "$@" >&2 || die "pip could not install $* (is PyPI reachable?)"
  "$venv/bin/python" -c "$check" || die "$name: installed, but '$check' fails"
  touch "$venv/.agnod-complete"
}

# Takes the lock NAME in $CACHE for the rest of the script (one set-up at a time).
lock_cache() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.$1.lock"
  flock 9 || die "could not lock $CACHE/.$1.lock"
}

ensure_swift() {
  command -v swift >/dev/null || die "swift not found: install Swift 6.x at /opt/swift (or put it on PATH)"
}

# Starts the embedded model server on 127.0.0.1:$1 in the background; sets MODEL_PID; waits until it answers.
start_model_server() {
  local port=$1 logfile=$2
  eval "$("$ROOT/scripts/setup-model.sh")"
  log "starting the model server on 127.0.0.1:$port (log: $logfile)"
  "$AGNOD_MODEL_PYTHON" -m llama_cpp.server --model "$AGNOD_MODEL_FILE" --model_alias smollm2 \
    --chat_format chatml-function-calling --host 127.0.0.1 --port "$port" --n_ctx 2048 --interrupt_requests False >"$logfile" 2>&1 &
  MODEL_PID=$!
  "$AGNOD_MODEL_PYTHON" - "$port" "$MODEL_PID" <<'PY' || { tail -20 "$logfile" >&2; die "the model server did not come up on port $port"; }
import sys, time, urllib.request, os
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 120
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("model server exited")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("timeout")
PY
}

# Starts agnod with a config in the background; sets AGNOD_PID; waits until it logs that it listens.
start_agnod() {
  local bin=$1 config=$2 logfile=$3
  "$bin" --config "$config" >"$logfile" 2>&1 &
  AGNOD_PID=$!
  for _ in $(seq 1 300); do
    grep -q "listening" "$logfile" 2>/dev/null && return 0
    kill -0 "$AGNOD_PID" 2>/dev/null || { cat "$logfile" >&2; die "agnod exited at start"; }
    sleep 0.1
  done
  cat "$logfile" >&2; die "agnod did not start listening"
}
