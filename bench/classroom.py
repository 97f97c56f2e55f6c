"""A class on one server: N sessions training at once, or one session with N followers.

Each session is a WebSocket client of its own that acks every frame, as the page does.
Prints, per N: the median and the slowest session's training steps/s, and the 95th percentile
of the intervals between frames (all sessions together).

Followers can be spread over several client processes (``--client-processes``), so that the
clients are not what limits the figure.

Run: python -m bench.classroom [--sessions 10 30 60 100] [--followers 30 200] [--seconds 8]
     [--speed 5] [--device auto] [--client-processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from bench import wire
from bench.stats import percentile
from server.drawer import auto_processes
from server.settings import Settings
from tests.live_server import LiveServer, live_server


async def client(
    url: str,
    seconds: float,
    speed: int | None,
    start: asyncio.Event,
    out: list[tuple[float, int]],
    hello: asyncio.Future[str] | None = None,
) -> None:
    """Connect, wait for ``start``, then for ``seconds`` note (time, step) of every frame and ack
    it. With a ``speed`` the client trains at it; without, it only watches (a follower).
    ``hello`` receives the session id. A lean client (bench.wire), so that hundreds of them in
    one process cost less than the server they measure."""
    protocol, first = await wire.connect(url, [])
    try:
        if hello is not None:
            hello.set_result(json.loads(first)["session"])
        if speed is not None:
            protocol.send_text(
                json.dumps({"type": "configure", "changes": {"view": {"speed": speed}}})
            )
        await start.wait()
        protocol.out = out
        if speed is not None:
            protocol.send_text(json.dumps({"type": "play"}))
        await asyncio.sleep(seconds)
        protocol.out = []
    finally:
        assert protocol.transport is not None
        protocol.transport.close()


def report(label: str, runs: list[list[tuple[float, int]]], seconds: float) -> None:
    rates, gaps = [], []
    for frames in runs:
        frames = [f for f in frames if f[0] >= frames[0][0] + 1.0] if frames else []  # warm-up
        if len(frames) < 2:
            rates.append(0.0)
            continue
        rates.append((frames[-1][1] - frames[0][1]) / (frames[-1][0] - frames[0][0]))
        gaps += [b[0] - a[0] for a, b in itertools.pairwise(frames)]
    p95 = percentile(gaps, 0.95) * 1e3
    frames_per_s = [len(r) / seconds for r in runs]
    print(
        f"{label}: steps/s median {statistics.median(rates):.0f}, slowest {min(rates):.0f}; "
        f"frames/s median {statistics.median(frames_per_s):.1f}, slowest "
        f"{min(frames_per_s):.1f}; p95 frame interval {p95:.0f} ms"
    )


async def sessions(url: str, n: int, seconds: float, speed: int) -> list[list[tuple[float, int]]]:
    start = asyncio.Event()
    runs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    tasks = [asyncio.create_task(client(url, seconds, speed, start, runs[i])) for i in range(n)]
    await asyncio.sleep(0.5)
    start.set()
    await asyncio.gather(*tasks)
    return runs


def watchers(
    url: str, n: int, seconds: float, start: asyncio.Event
) -> tuple[list[asyncio.Task[None]], list[list[tuple[float, int]]]]:
    """``n`` followers of the session at ``url`` (connecting now, counting from ``start``),
    and what each of them will have seen."""
    runs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    tasks = [asyncio.create_task(client(url, seconds, None, start, runs[i])) for i in range(n)]
    return tasks, runs


def follower_process(
    url: str,
    n: int,
    seconds: float,
    ready: multiprocessing.SimpleQueue[int],
    go: ProcessEvent,
    results: multiprocessing.SimpleQueue[list[list[tuple[float, int]]]],
) -> None:
    """A client process of :func:`followers`: ``n`` followers that connect, say they are
    ready, start when told and send back what they saw."""

    async def run() -> list[list[tuple[float, int]]]:
        start = asyncio.Event()
        tasks, runs = watchers(url, n, seconds, start)
        await asyncio.sleep(0.5)
        ready.put(n)
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        start.set()
        await asyncio.gather(*tasks)
        return runs

    results.put(asyncio.run(run()))


async def in_processes(
    url: str,
    n: int,
    seconds: float,
    processes: int,
    start: asyncio.Event,
    target: Callable[..., None] = follower_process,
) -> list[Any]:
    """``n`` followers spread over ``processes`` client processes running ``target`` (called
    as :func:`follower_process` is), all started with ``start`` once every one has connected:
    what each process sent back (by default, what each of its followers saw)."""
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.SimpleQueue[int] = context.SimpleQueue()
    results: multiprocessing.SimpleQueue[Any] = context.SimpleQueue()
    go = context.Event()
    shares = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    workers = [
        context.Process(target=target, args=(url, k, seconds, ready, go, results))
        for k in shares
        if k
    ]
    for w in workers:
        w.start()
    loop = asyncio.get_running_loop()
    for _ in workers:
        await loop.run_in_executor(None, ready.get)
    go.set()
    start.set()
    sent = [await loop.run_in_executor(None, results.get) for _ in workers]
    for w in workers:
        w.join()
    return sent


async def followers(
    url: str, n: int, seconds: float, speed: int, processes: int = 1
) -> list[list[tuple[float, int]]]:
    """One session trained at ``speed`` and ``n`` followers of it, in this process or spread
    over ``processes`` client processes: what each follower saw."""
    start = asyncio.Event()
    hello: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    own: list[tuple[float, int]] = []
    leader = asyncio.create_task(client(url, seconds, speed, start, own, hello))
    follow_url = f"{url}?follow={await hello}"
    if processes > 1:
        sent = await in_processes(follow_url, n, seconds, processes, start)
        runs = [seen for process in sent for seen in process]
    else:
        tasks, runs = watchers(follow_url, n, seconds, start)
        await asyncio.sleep(0.5)
        start.set()
        await asyncio.gather(*tasks)
    await leader
    print(f"  leader drew {len(own) / seconds:.1f} frames/s")
    return runs


#: Seconds a round waits for the sessions of the one before to be let go.
SETTLE_S = 30.0


def settled(server: LiveServer) -> None:
    """Wait until the server holds no session: the sockets of a round close as it ends, but
    their sessions are let go a moment later, and the next round's must not meet the server's
    cap on sessions (a refused client would count as a session that drew nothing)."""
    deadline = time.monotonic() + SETTLE_S
    while (held := server.health()["sessions"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if held:
        print(f"  ({held} sessions of the round before still held after {SETTLE_S:g} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, nargs="*", default=[10, 30, 60, 100])
    parser.add_argument("--followers", type=int, nargs="*", default=[30, 200])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--speed", type=int, default=5, help="view.speed: 30 x speed steps a second; 0: flat out"
    )
    parser.add_argument(
        "--device", choices=["auto", "cpu", "cuda"], default="auto", help="the server's --device"
    )
    parser.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="spread the followers over this many client processes",
    )
    args = parser.parse_args()
    settings = Settings()
    processes = settings.frame_processes
    print(
        f"default experiment in every session (moons, 3 hidden layers of width 2), speed "
        f"{args.speed} ({'flat out' if args.speed == 0 else f'{30 * args.speed} steps/s'}), "
        f"frames at most {settings.max_fps:g}/s a tab and {settings.max_total_fps:g}/s in all, "
        f"{auto_processes() if processes is None else processes} drawing processes; clients "
        f"ack every frame; {os.cpu_count()} CPU cores shared by the server and the clients"
    )
    most = max([*args.sessions, *(n + 1 for n in args.followers), 64])
    os.environ.setdefault("SPACEFOLD_MAX_SESSIONS", str(most + 8))
    with live_server("--device", args.device, drawing=True) as server:
        health = server.health()
        print(f"sessions train on {health['device']} ({health['device_choice']['why']})")
        for n in args.sessions:
            settled(server)
            runs = asyncio.run(sessions(server.ws_url, n, args.seconds, args.speed))
            report(f"{n} sessions", runs, args.seconds)
        for n in args.followers:
            settled(server)
            spread = args.client_processes
            label = f"1 session, {n} followers" + (
                f" in {spread} client processes" if spread > 1 else ""
            )
            watch = followers(server.ws_url, n, args.seconds, args.speed, spread)
            report(label, asyncio.run(watch), args.seconds)


if __name__ == "__main__":
    main()
