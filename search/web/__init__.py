"""``congres serve``: the search as a web page and a read-only HTTP API (FastAPI, uvicorn).

Only this command imports the web framework; ``create_app`` builds the application over a
``Searcher`` (tests and embedders open their own).
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from search.searcher import Searcher
from search.web.app import create_app

__all__ = ["create_app", "serve", "listening_socket"]


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), so that the URL printed is the real one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, index_dir: Path | None = None, corpus_dir: Path | None = None,
          engine: str | None = None, searcher: Searcher | None = None) -> None:
    """Serve until Ctrl-C (then return). ``searcher``: an open one to share, else one is opened here."""
    import uvicorn

    own = searcher is None
    if own:
        searcher = Searcher(index_dir, corpus_dir, engine=engine)
        for warning in searcher.warnings:
            print(f"Warning: {' '.join(warning.split())}", file=sys.stderr)
    try:
        try:
            sock = listening_socket(host, port)
        except OSError as error:
            from indexer.errors import InvalidRequestError
            raise InvalidRequestError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        app = create_app(searcher)
        url = _url(host, sock.getsockname()[1])
        exposure = "" if _is_loopback(host) else (
            f" — listening on {host}: exposed to every machine that can reach this one")
        print(f"Serving the search at {url} (Ctrl-C stops it){exposure}", flush=True)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                               lifespan="off", timeout_graceful_shutdown=5))
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # uvicorn stops, then raises the signal again
            pass
        finally:
            sock.close()
        print("Stopped.", file=sys.stderr, flush=True)
    finally:
        if own:
            searcher.close()
