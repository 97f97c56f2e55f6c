"""A class on one server: N sessions training at once, or one session with N followers.

Each session is a WebSocket client of its own that acks every frame, as the page does.
Prints, per N: the median and the slowest session's training steps/s, and the 95th percentile
of the intervals between frames (all sessions together).

Run: python -m bench.classroom [--sessions 10 30 60 100] [--followers 30 200] [--seconds 8]
     [--speed 5] [--device auto]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics

from bench import wire
from bench.stats import percentile
from server.drawer import auto_processes
from server.settings import Settings
from tests.live_server import live_server


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


async def followers(url: str, n: int, seconds: float, speed: int) -> list[list[tuple[float, int]]]:
    start = asyncio.Event()
    hello: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    own: list[tuple[float, int]] = []
    leader = asyncio.create_task(client(url, seconds, speed, start, own, hello))
    follow_url = f"{url}?follow={await hello}"
    runs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    tasks = [
        asyncio.create_task(client(follow_url, seconds, None, start, runs[i])) for i in range(n)
    ]
    await asyncio.sleep(0.5)
    start.set()
    await asyncio.gather(leader, *tasks)
    print(f"  leader drew {len(own) / seconds:.1f} frames/s")
    return runs


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
            runs = asyncio.run(sessions(server.ws_url, n, args.seconds, args.speed))
            report(f"{n} sessions", runs, args.seconds)
        for n in args.followers:
            report(
                f"1 session, {n} followers",
                asyncio.run(followers(server.ws_url, n, args.seconds, args.speed)),
                args.seconds,
            )


if __name__ == "__main__":
    main()
