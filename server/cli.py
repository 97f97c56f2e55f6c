"""The server's command line: start it, print its address and open the browser.

``spacefold`` (``spacefold/cli.py``) hands every command but ``render`` to :func:`main`;
``python -m server`` runs it directly.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from server.app import create_app
from server.joincode import is_loopback_host, new_code
from server.settings import Settings
from server.wsprotocol import ReadAhead


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="spacefold",
        description="Watch a neural network fold the plane, layer by layer.",
        epilog="spacefold render --help: draw a view to a PNG, GIF or MP4 without the server",
    )
    parser.add_argument(
        "--host",
        default=None,
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=None, help="port (default 8000); 0 picks a free one"
    )
    parser.add_argument(
        "--open",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="open the page in a browser once the server listens (default on)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where saved experiments are kept (default ~/.spacefold)",
    )
    parser.add_argument(
        "--store",
        default=None,
        help="a postgresql:// URL: keep saved experiments in PostgreSQL, shared by every "
        "instance (default: SQLite in the data folder)",
    )
    parser.add_argument(
        "--instance",
        default=None,
        help="this instance's name behind a proxy (a few lower-case letters or digits): it "
        "begins every session id it makes (default: none, one instance)",
    )
    parser.add_argument(
        "--broker",
        default=None,
        help="a redis:// URL: followers of a session on any instance, through Redis pub/sub "
        "(default: followers are served by the session's own instance)",
    )
    parser.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default=None,
        help="where the networks train (default auto: CUDA when present and "
        "measured faster, else the CPU)",
    )
    return parser.parse_args(argv)


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so that the address printed and opened is the one really served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that
    # say they are TCP. With it on, a frame that follows a small message waited for the
    # client's delayed ACK, 40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def page_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    try:
        # What the command line leaves out comes from the environment (SPACEFOLD_*), else the
        # settings' defaults.
        named = {
            "host": args.host,
            "port": args.port,
            "device": args.device,
            "store": args.store,
            "instance": args.instance,
            "broker": args.broker,
        }
        chosen = {key: value for key, value in named.items() if value is not None}
        settings = Settings(**chosen)
        if args.data_dir is not None:
            settings = settings.model_copy(update={"data_dir": args.data_dir})
        if not is_loopback_host(settings.host) and not settings.join_code:
            settings = settings.model_copy(update={"join_code": new_code()})
        app = create_app(settings)
    except (ValidationError, ValueError, RuntimeError) as exc:
        print(f"spacefold: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        print(
            f"spacefold: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    port = sock.getsockname()[1]
    url = page_url(settings.host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        ws_max_size=1 << 20,
        lifespan="on",
        ws=ReadAhead,
        ws_per_message_deflate=False,
    )  # float arrays barely compress
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if server.started:
            print(f"spacefold is running at {url}  (Ctrl+C stops it)", flush=True)
            if app.state.device.measured:
                print(app.state.device.describe(), flush=True)
            if settings.join_code:
                print(
                    f"join code: {settings.join_code.upper()}  (students open "
                    f"http://<this machine's address>:{port}/?join={settings.join_code.upper()})",
                    flush=True,
                )
            if args.open:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    asyncio.run(server.serve(sockets=[sock]))
    return 0
