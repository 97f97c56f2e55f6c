"""An instance killed with SIGKILL mid-training, behind nginx with the saves and autosaves in
PostgreSQL: its students reconnect through the proxy, land on the other instance and get their
last autosave back (no older than the autosave interval when it died); its followers are told
that it stopped, then where the session went."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from engine.encoding import decode_frame
from tests.live_server import LiveServer, live_server
from tests.nginx import nginx_proxy, require_nginx
from tests.postgres import postgres_server
from tests.server.wsutil import recv_event

AUTOSAVE_SECONDS = 1.0
SLACK_SECONDS = 1.5  # a loaded machine's lateness on top of the interval


@contextlib.contextmanager
def hall(store: str) -> Iterator[tuple[str, dict[str, LiveServer]]]:
    require_nginx()
    env = {"SPACEFOLD_AUTOSAVE_SECONDS": str(AUTOSAVE_SECONDS)}
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                live_server("--instance", name, "--store", store, "--device", "cpu", env=_env(env))
            )
            for name in ("a", "b")
        }
        listed = [(n, s.url.removeprefix("http://").rstrip("/")) for n, s in servers.items()]
        proxy = stack.enter_context(nginx_proxy(listed))
        yield proxy.replace("http://", "ws://"), servers


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **extra}


def test_a_killed_instances_students_get_their_autosave_back_on_the_other() -> None:
    with (
        postgres_server() as store,
        hall(store) as (proxy, servers),
        contextlib.ExitStack() as opened,
    ):

        def connect_to(path: str) -> ClientConnection:
            return opened.enter_context(connect(proxy + path, max_size=None, open_timeout=10))

        sockets: list[tuple[dict[str, Any], ClientConnection]] = []
        while sum(hello["instance"] == "a" for hello, _ in sockets) < 2:
            assert len(sockets) < 8, "the proxy never chose instance a"
            ws = connect_to("ws")
            sockets.append((recv_event(ws, "hello"), ws))
        for _, ws in sockets:
            ws.send(json.dumps({"type": "configure", "changes": {"model": {"width": 3}}}))
            ws.send(json.dumps({"type": "play"}))
        on_a = [(hello, ws) for hello, ws in sockets if hello["instance"] == "a"]
        watched = on_a[0][0]["session"]
        follower = connect_to(f"ws?follow={watched}")
        assert recv_event(follower, "hello")["instance"] == "a"
        time.sleep(3 * AUTOSAVE_SECONDS)

        servers["a"].process.send_signal(signal.SIGKILL)
        servers["a"].process.wait(10)
        killed_at = time.time()
        with psycopg.connect(store) as db:
            rows = {
                row[0]: row[1:]
                for row in db.execute("SELECT id, step, saved, final FROM autosaves").fetchall()
            }
        for hello, _ in on_a:
            step, saved, final = rows[hello["session"]]
            assert step > 0 and not final
            assert killed_at - saved <= AUTOSAVE_SECONDS + SLACK_SECONDS

        # The follower's socket died with a; knocking again, it hears that a stopped.
        try:
            while True:
                follower.recv(timeout=15)
        except ConnectionClosed:
            pass
        with connect(f"{proxy}ws?follow={watched}", open_timeout=10) as again:
            told = recv_event(again, "error")
            assert told["field"] == "follow" and "stopped with its server" in told["message"]
            with contextlib.suppress(ConnectionClosed):
                again.recv(timeout=15)
            assert again.close_code == 1013

        # Each student on a reconnects through the proxy: b reopens the last autosave.
        moved_to = {}
        for hello, _ in on_a:
            old = hello["session"]
            ws = connect_to(f"ws?resume={old}&key={hello['resume']}")
            back = recv_event(ws, "hello")
            assert back["instance"] == "b" and back["session"].startswith("b-")
            assert back["restored"]["step"] == rows[old][0] == back["step"]
            assert back["restored"]["final"] is False and back["restored"]["instance"] == "a"
            assert back["config"]["model"]["width"] == 3
            ws.send(json.dumps({"type": "play"}))
            assert recv_event(ws, "state")["running"] is True
            moved_to[old] = back["session"]
            sockets.append((back, ws))

        # The follower knocks once more: told where the session went, it follows it there.
        with connect(f"{proxy}ws?follow={watched}", open_timeout=10) as again:
            assert recv_event(again, "moved")["session"] == moved_to[watched]
        with connect(f"{proxy}ws?follow={moved_to[watched]}", open_timeout=10) as again:
            followed = recv_event(again, "hello")
            assert followed["follow"] is True and followed["instance"] == "b"

        # The students on b never noticed: their frames go on.
        for hello, ws in sockets:
            if hello["instance"] == "b":
                trains_on(ws)


def trains_on(ws: ClientConnection) -> None:
    """Frames of ``ws`` show later and later steps (those waiting unread show old ones)."""
    first, deadline = frame_step(ws), time.monotonic() + 15
    while frame_step(ws) <= first:
        assert time.monotonic() < deadline, f"no frame after step {first}"


def frame_step(ws: ClientConnection) -> int:
    """The step of the next frame of ``ws`` (each frame begins with its header's length and
    the header, JSON)."""
    for _ in range(2000):
        message = ws.recv(timeout=15)
        if isinstance(message, bytes):
            header, _ = decode_frame(message)
            step: int = header["step"]
            return step
    raise AssertionError("no frame")
