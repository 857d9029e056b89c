#!/usr/bin/env bash
# Installs the MCP servers the tests use, from PyPI, into two cached venvs (once; later runs reuse them):
#   mcp-venv   (mcp 2.x): mcp-server-time, mcp-server-fetch
#   mcp1-venv  (mcp 1.x): mcp-server-calculator (it imports FastMCP, gone in mcp 2) and the tests' fixture server
# Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints `export` lines for the two paths.
set -euo pipefail
CACHE="${AGNOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agnod}"
PY="${PYTHON:-python3}"
say() { printf '[setup-mcp] %s\n' "$*" >&2; }
die() { printf '[setup-mcp] ERROR: %s\n' "$*" >&2; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.setup-mcp.lock"
flock 9 || die "could not lock $CACHE/.setup-mcp.lock"

# NAME CHECK PACKAGES...: a venv where CHECK imports. venvs cannot be moved (their scripts name the path),
# so it is built in place and marked complete at the end; an interrupted build is redone.
ensure_venv() {
  local name=$1 check=$2; shift 2
  local venv="$CACHE/$name"
  if [ -f "$venv/.agnod-complete" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    say "$name ready"
    return
  fi
  say "installing $* into $venv (PyPI)"
  rm -rf "$venv"
  "$PY" -m venv "$venv" || die "could not create a venv (apt-get install -y python3-venv)"
  "$venv/bin/python" -m pip install --quiet "$@" >&2 || die "pip could not install $* (is PyPI reachable?)"
  "$venv/bin/python" -c "$check" || die "$name: installed, but '$check' fails"
  touch "$venv/.agnod-complete"
}

ensure_venv mcp-venv 'import mcp_server_time, mcp_server_fetch' mcp-server-time mcp-server-fetch
ensure_venv mcp1-venv 'import mcp_server_calculator; from mcp.server.fastmcp import FastMCP' mcp-server-calculator 'mcp>=1.2,<2'
echo "export AGNOD_TEST_MCP_VENV='$CACHE/mcp-venv'"
echo "export AGNOD_TEST_MCP1_VENV='$CACHE/mcp1-venv'"
