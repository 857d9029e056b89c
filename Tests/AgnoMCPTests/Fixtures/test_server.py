"""An MCP server (python mcp 1.x, FastMCP) with tools that misbehave on purpose, for agnod's tests.
AGNOD_TEST_NOTIFY_URL: a loopback HTTP server the test watches (`hang` holds a request to it open).

stdio by default. `--http`: streamable HTTP on 127.0.0.1 (`--port N`, default a free one), printing
"listening on PORT" once it accepts; `--json`: answers as JSON bodies instead of event streams;
`--token T`: requests need `Authorization: Bearer T` (a wrong one gets 401 echoing what was sent);
`--log FILE`: one line per HTTP request (method, session id, protocol version, JSON-RPC method)."""
import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import time
import urllib.parse
import urllib.request

from mcp.server.fastmcp import Context, FastMCP

mcp = FastMCP("agnod-test")
NOTIFY = os.environ.get("AGNOD_TEST_NOTIFY_URL", "")


@mcp.tool()
def echo(text: str) -> str:
    """Returns the text it was given."""
    return text


@mcp.tool()
def fail(reason: str) -> str:
    """Always fails with the reason."""
    raise ValueError(reason)


@mcp.tool()
def hang() -> str:
    """Blocks the whole server (not cancellable), holding a request to the test's server open."""
    urllib.request.urlopen(f"{NOTIFY}/hold?pid={os.getpid()}", timeout=3600).read()
    return "never"


@mcp.tool()
async def hold() -> str:
    """Holds a request to the test's server open without blocking the server: a cancel notification ends
    the call and closes the request (the test sees it arrive, so it knows the call is running)."""
    address = urllib.parse.urlsplit(NOTIFY)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(f"GET /hold?pid={os.getpid()} HTTP/1.0\r\nHost: {address.netloc}\r\n\r\n".encode())
        await writer.drain()
        await reader.read()
    finally:
        writer.close()
    return "never"


@mcp.tool()
async def wait_forever() -> str:
    """Waits, but the server stays responsive: a cancel notification ends the wait."""
    await asyncio.sleep(3600)
    return "never"


@mcp.tool()
def crash() -> str:
    """The process exits at once."""
    os._exit(3)


@mcp.tool()
async def progress(steps: int, ctx: Context) -> str:
    """Logs each step to the client, then answers: the answer comes after other messages on its stream."""
    for step in range(steps):
        await ctx.info(f"step {step}")
        await asyncio.sleep(0.01)
    return f"done after {steps} steps"


@mcp.tool()
async def block(seconds: float) -> str:
    """Blocks the whole server's event loop (it answers nothing, not even pings) for a while."""
    time.sleep(seconds)
    return "unblocked"


@mcp.tool()
def environment(name: str) -> str:
    """The value of an environment variable in the server, or '(unset)'."""
    return os.environ.get(name, "(unset)")


def http_app(token, log):
    app = mcp.streamable_http_app()

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if log:
            try:
                rpc = json.loads(body).get("method", "") if body else ""
            except ValueError:
                rpc = "?"
            with open(log, "a") as f:
                f.write(f"{scope['method']} {scope['path']} session={headers.get('mcp-session-id', '-')} "
                        f"version={headers.get('mcp-protocol-version', '-')} accept={headers.get('accept', '-')!r} rpc={rpc}\n")
        if token and headers.get("authorization") != f"Bearer {token}":
            text = f"unauthorized: got {headers.get('authorization', 'nothing')}".encode()
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": text})
            return
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()
        await app(scope, replay, send)
    return guarded


def serve_http(args):
    import uvicorn
    # A child of a test's thread may start with signals blocked: SIGTERM must stop it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    mcp.settings.json_response = args.json
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(http_app(args.token, args.log), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)

    async def main():
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        print(f"listening on {port}", flush=True)
        await serving
    asyncio.run(main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--token")
    parser.add_argument("--log")
    args = parser.parse_args()
    if args.http:
        serve_http(args)
    else:
        mcp.run()
