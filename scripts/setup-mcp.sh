#!/usr/bin/env bash
# Installs the MCP servers the tests use, from PyPI, into two cached venvs (once; later runs reuse them):
#   mcp-venv   (mcp 2.x): mcp-server-time, mcp-server-fetch
#   mcp1-venv  (mcp 1.x): mcp-server-calculator (it imports FastMCP, gone in mcp 2) and the tests' fixture server
# Cache: $AGNOD_CACHE (default ~/.cache/agnod). Prints `export` lines for the two paths.
set -euo pipefail
source "$(dirname "$0")/common.sh"
lock_cache setup-mcp
ensure_venv mcp-venv 'import mcp_server_time, mcp_server_fetch' mcp-server-time mcp-server-fetch
ensure_venv mcp1-venv 'import mcp_server_calculator; from mcp.server.fastmcp import FastMCP' mcp-server-calculator 'mcp>=1.2,<2'
echo "export AGNOD_TEST_MCP_VENV='$CACHE/mcp-venv'"
echo "export AGNOD_TEST_MCP1_VENV='$CACHE/mcp1-venv'"
