#!/usr/bin/env python3
"""A minimal MCP tool server on stdio (Python standard library only): one tool, `echo`, that returns its
`text` argument (or "ok"). Used where the PyPI servers are not at hand: the systemd end-to-end test runs it
under agnod's hardened unit. `--stay-after-eof`: when stdin closes, do not exit (as a server with a timer or
a busy thread does): only a signal ends it."""
import json
import sys
import time

TOOLS = [{
    "name": "echo",
    "description": "Returns the text it was given.",
    "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
}]

for line in sys.stdin:
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if "id" not in msg:
        continue  # a notification
    method = msg.get("method")
    if method == "initialize":
        result = {"protocolVersion": msg.get("params", {}).get("protocolVersion", "2025-06-18"),
                  "capabilities": {"tools": {}}, "serverInfo": {"name": "agnod-mcp-stub", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": TOOLS}
    elif method == "tools/call":
        text = (msg.get("params", {}).get("arguments") or {}).get("text", "ok")
        result = {"content": [{"type": "text", "text": f"echo: {text}"}], "isError": False}
    elif method == "ping":
        result = {}
    else:
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": f"no method {method}"}}), flush=True)
        continue
    print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}), flush=True)

if "--stay-after-eof" in sys.argv[1:]:
    time.sleep(3600)
