#!/usr/bin/env bash
# Installs cel-python (https://pypi.org/project/cel-python/, `import celpy`) into a cached venv, once; later runs reuse it.
# It is the oracle of Tests/AgnoCELTests (CELOracleTests): they run only when AGNOD_CEL_PYTHON names this venv's python.
# Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints the `export` line on stdout, logs on stderr:
#   eval "$(scripts/setup-cel-oracle.sh)" && swift test --filter AgnoCELTests
set -euo pipefail
source "$(dirname "$0")/common.sh"
lock_cache setup-cel-oracle
ensure_venv cel-venv 'import celpy' cel-python
echo "export AGNOD_CEL_PYTHON='$CACHE/cel-venv/bin/python'"
