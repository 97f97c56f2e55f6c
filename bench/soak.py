"""Soak: many sessions training for minutes on one server; is resident memory flat?

Each session is a WebSocket client that plays and acknowledges every frame, as the page does.
Samples the server's resident memory (VmRSS) every ``--every`` seconds and prints the curve's
start, end and maximum, and each session's training steps/s and frames/s.

Run: python -m bench.soak [--sessions 30] [--minutes 10] [--every 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import time

import websockets

from bench.cycles import health, rss_kib, settle
from bench.frames import note_frames
from tests.live_server import live_server


async def session(url: str, seconds: float, out: list[tuple[float, int]]) -> None:
    """Play, then for ``seconds`` note (time, step) of every frame and acknowledge it."""
    # A loaded machine may take a while to let 30 tabs in at once: wait for each, as a page does.
    async with websockets.connect(url, max_size=None, open_timeout=120) as ws:
        await ws.recv()  # hello
        await ws.send(json.dumps({"type": "play"}))
        await note_frames(ws, seconds, out)


async def sample(
    pid: int, every: float, stop: asyncio.Event, curve: list[tuple[float, int]]
) -> None:
    """Note (seconds since start, VmRSS KiB) every ``every`` seconds until ``stop``."""
    began = time.monotonic()
    while not stop.is_set():
        curve.append((time.monotonic() - began, rss_kib(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
    curve.append((time.monotonic() - began, rss_kib(pid)))


async def soak(
    url: str,
    pid: int,
    n: int,
    seconds: float,
    every: float,
) -> tuple[list[list[tuple[float, int]]], list[tuple[float, int]]]:
    runs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    curve: list[tuple[float, int]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample(pid, every, stop, curve))
    await asyncio.gather(*(session(url, seconds, runs[i]) for i in range(n)))
    stop.set()
    await sampler
    return runs, curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()
    seconds = args.minutes * 60
    with live_server(drawing=True) as server:
        pid = server.process.pid
        before = health(server)
        runs, curve = asyncio.run(soak(server.ws_url, pid, args.sessions, seconds, args.every))
        after = settle(server, before)
    print(
        f"{args.sessions} sessions training the default experiment for {args.minutes:g} "
        f"minutes, every frame acknowledged"
    )
    print(
        "resident memory, MiB, every sample: " + " ".join(f"{kib / 1024:.0f}" for _, kib in curve)
    )
    kib = [k for _, k in curve]
    print(
        f"resident memory: start {kib[0] / 1024:.1f} MiB, end {kib[-1] / 1024:.1f} MiB, "
        f"max {max(kib) / 1024:.1f} MiB; after the first minute "
        f"{next((k for t, k in curve if t >= 60), kib[-1]) / 1024:.1f} MiB"
    )
    steps = [(r[-1][1] - r[0][1]) / (r[-1][0] - r[0][0]) if len(r) > 1 else 0.0 for r in runs]
    frames = [len(r) / seconds for r in runs]
    print(
        f"per session: steps/s median {statistics.median(steps):.1f}, slowest "
        f"{min(steps):.1f}; frames/s median {statistics.median(frames):.2f}, slowest "
        f"{min(frames):.2f}"
    )
    print(
        f"afterwards: {after['sessions']} sessions, {after['threads']} threads, "
        f"{after['tasks']} tasks"
    )


if __name__ == "__main__":
    main()
