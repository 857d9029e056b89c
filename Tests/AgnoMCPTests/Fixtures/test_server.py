"""An MCP server (python mcp 1.x, FastMCP, stdio) with tools that misbehave on purpose, for agnod's tests.
AGNOD_TEST_NOTIFY_URL: a loopback HTTP server the test watches (`hang` holds a request to it open)."""
import asyncio
import os
import urllib.request

from mcp.server.fastmcp import FastMCP

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
async def wait_forever() -> str:
    """Waits, but the server stays responsive: a cancel notification ends the wait."""
    await asyncio.sleep(3600)
    return "never"


@mcp.tool()
def crash() -> str:
    """The process exits at once."""
    os._exit(3)


@mcp.tool()
def environment(name: str) -> str:
    """The value of an environment variable in the server, or '(unset)'."""
    return os.environ.get(name, "(unset)")


if __name__ == "__main__":
    mcp.run()
