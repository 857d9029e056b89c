#!/usr/bin/env bash
# Installs cel-python (https://pypi.org/project/cel-python/, `import celpy`) into a cached venv, once; later runs reuse it.
# It is the oracle of Tests/AgnoCELTests (CELOracleTests): they run only when AGNOD_CEL_PYTHON names this venv's python.
# Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints the `export` line on stdout, logs on stderr:
#   eval "$(scripts/setup-cel-oracle.sh)" && swift test --filter AgnoCELTests
set -euo pipefail
CACHE="${AGNOD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agnod}"
PY="${PYTHON:-python3}"
VENV="$CACHE/cel-venv"
CHECK='import celpy'
say() { printf '[setup-cel-oracle] %s\n' "$*" >&2; }
die() { printf '[setup-cel-oracle] ERROR: %s\n' "$*" >&2; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.setup-cel-oracle.lock"
flock 9 || die "could not lock $CACHE/.setup-cel-oracle.lock"

# venvs cannot be moved (their scripts name the path), so it is built in place and marked complete at the end;
# an interrupted build is redone.
if [ -f "$VENV/.agnod-complete" ] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
  say "cel-venv ready"
else
  say "installing cel-python into $VENV (PyPI)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV" || die "could not create a venv (apt-get install -y python3-venv)"
  "$VENV/bin/python" -m pip install --quiet cel-python >&2 || die "pip could not install cel-python (is PyPI reachable?)"
  "$VENV/bin/python" -c "$CHECK" || die "cel-venv: installed, but '$CHECK' fails"
  touch "$VENV/.agnod-complete"
fi
echo "export AGNOD_CEL_PYTHON='$VENV/bin/python'"
