"""The Convolution mode's figures: time to 95 %, the cost of a frame, and a class of conv nets.

1. Time from play to the first frame showing ≥ 95 % test accuracy, through the real server
   (``/ws/conv``) while a client acknowledges every frame as the page does: the default glyphs
   net (two layers, 4 then 8 channels, at the default speed), and the 8×8 digits with two
   layers of 8 and 16 channels read out flat, at each of several speeds (steps a frame). Over
   seeds 0, 1, …: the median and the range.
2. Server milliseconds and bytes of one frame at the default view: ``render_conv`` on a
   default session and on a motifs one (a 1-D net, whose frame carries the first layer as a
   matrix), in this process on one torch thread as the server runs it.
3. Steps/s per session with many sessions training conv nets at once on one server, every
   session a client that configures the default speed, plays and acks every frame: the median
   and the slowest session, the 95th percentile of the intervals between frames, and the CPU
   the server and the clients used.

The frames the page draws in this mode: ``python -m bench.browser --only conv``.

Run: python -m bench.conv [--seeds 3] [--digit-speeds 2 5 10] [--digit-samples 1797]
     [--renders 200] [--sessions 10 30] [--seconds 8] [--warm-up 2] [--skip solve,frame,class]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any

import torch
import websockets

from bench import wire
from bench.stats import percentile
from engine.conv.frame import render_conv
from engine.conv.schemas import ConvConfig
from engine.conv.session import ConvSession
from engine.encoding import read_header
from server.convconnection import CONV_FPS, METRICS_AGE
from tests.live_server import live_server

GOAL = 0.95
GLYPHS: dict[str, Any] = {}  # the defaults: C against D, 16 × 16, two layers
DIGIT_MODEL: dict[str, Any] = {"layers": [{"channels": 8}, {"channels": 16}], "readout": "flatten"}


def digits(samples: int) -> dict[str, Any]:
    """The digits experiment: 8×8 images (no larger canvas), ``samples`` of them."""
    return {"data": {"kind": "digits", "size": 8, "samples": samples}, "model": DIGIT_MODEL}


def with_seed(changes: dict[str, Any], seed: int, speed: int | None) -> dict[str, Any]:
    out = {**changes, "data": {**changes.get("data", {}), "seed": seed}}
    if speed is not None:
        out["view"] = {"speed": speed}
    return out


async def solve(url: str, changes: dict[str, Any], limit: float) -> tuple[float, int]:
    """Configure ``changes``, wait for the new network's first frame, play: seconds from play
    to the first frame at the goal, and its step ((inf, -1) if none within ``limit``)."""
    async with websockets.connect(url, max_size=None) as ws:

        async def frame() -> dict[str, Any]:
            """The next binary frame's header (text events on the way skipped), acked."""
            while True:
                message = await ws.recv()
                if isinstance(message, bytes):
                    await ws.send('{"type":"ack"}')
                    return read_header(message)
                event = json.loads(message)
                if event["type"] == "error":
                    raise RuntimeError(f"refused: {event}")

        await ws.send(json.dumps({"type": "configure", "changes": changes}))
        generation = None
        while generation is None:  # the state after the change names the new network
            message = await ws.recv()
            if isinstance(message, bytes):
                await ws.send('{"type":"ack"}')
                continue
            event = json.loads(message)
            if event["type"] == "error":
                raise RuntimeError(f"refused: {event}")
            if event["type"] == "state":
                generation = event["generation"]
        while (await frame())["generation"] < generation:
            pass
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ws.send('{"type":"play"}')
        while loop.time() - started < limit:
            header = await frame()
            metrics = header["metrics"]
            if (metrics["test_acc"] or 0.0) >= GOAL:  # scored at its own step, maybe earlier
                return loop.time() - started, int(metrics.get("step", header["step"]))
        return float("inf"), -1


def spread(label: str, runs: list[tuple[float, int]]) -> float:
    """Print the runs and their median and range; the median."""
    times = [t for t, _ in runs]
    each = ", ".join(f"{t:.2f} s (step {s})" if s >= 0 else "not reached" for t, s in runs)
    median = statistics.median(times)
    print(f"  {label}: median {median:.2f} s, range {min(times):.2f}–{max(times):.2f} s; {each}")
    return median


def solve_figures(url: str, args: argparse.Namespace) -> None:
    seeds = range(args.seeds)
    print(
        f"1. play to the first frame at ≥ {GOAL:.0%} test accuracy, seeds 0–{args.seeds - 1}, "
        f"the client acks every frame (at most {CONV_FPS} frames/s; speed = steps a frame)"
    )
    glyph_runs = [asyncio.run(solve(url, with_seed(GLYPHS, s, None), args.limit)) for s in seeds]
    speed = ConvConfig().view.speed
    spread(f"glyphs C/D 16×16, the default net (4, 8 channels), speed {speed}", glyph_runs)
    best: tuple[float, int] | None = None
    for speed in args.digit_speeds:
        changes = digits(args.digit_samples)
        runs = [asyncio.run(solve(url, with_seed(changes, s, speed), args.limit)) for s in seeds]
        median = spread(
            f"digits 8×8, {args.digit_samples} samples (half for testing), layers 8, 16, "
            f"flatten, speed {speed}",
            runs,
        )
        if best is None or median < best[0]:
            best = (median, speed)
    if best is not None:
        print(f"  digits: fastest at speed {best[1]} (median {best[0]:.2f} s)")


def timed_renders(session: ConvSession, renders: int, metrics_age: float) -> list[float]:
    """Milliseconds of ``renders`` frames, each after one more training step (not timed), so
    that every frame shows a new net, as while training."""
    times = []
    for _ in range(renders):
        session.step(1)
        started = time.perf_counter()
        render_conv(session, metrics_age)
        times.append(1e3 * (time.perf_counter() - started))
    return times


def render_figures(renders: int) -> None:
    torch.set_num_threads(1)  # as the server runs
    print(
        f"2. render_conv, this process, one torch thread: {renders} frames after 20 of warm-up, "
        "one training step before each; fresh: every sample scored for the metrics (a paused "
        f"frame, and one every {METRICS_AGE:g} s while training), reused: the metrics of an "
        "earlier step (the other frames while training)"
    )
    for label, changes in (
        ("glyphs (default)", {}),
        ("motifs (1-D, with the matrix arrays)", {"data": {"kind": "motifs"}}),
    ):
        session = ConvSession(ConvConfig.model_validate(changes))
        session.step(20)
        timed_renders(session, 20, 0.0)
        parts = []
        for name, age in (("fresh", 0.0), ("reused", math.inf)):
            times = timed_renders(session, renders, age)
            parts.append(
                f"{name} median {statistics.median(times):.2f} ms, p95 "
                f"{percentile(times, 0.95):.2f} ms"
            )
        size = len(render_conv(session))
        steps = 100
        started = time.perf_counter()
        session.step(steps)
        step_ms = 1e3 * (time.perf_counter() - started) / steps
        print(
            f"  {label}: {'; '.join(parts)}; {size:,} bytes a frame; a training step "
            f"{step_ms:.2f} ms"
        )


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def player(
    url: str,
    seconds: float,
    speed: int,
    ready: asyncio.Future[None],
    start: asyncio.Event,
    out: list[tuple[float, int]],
) -> None:
    """One session: connect (refusing anything but a hello), configure ``speed``, say it is
    ``ready``, wait for ``start``, play, and for ``seconds`` note (time, step) of every frame
    and ack it."""
    protocol, first = await wire.connect(url, [])
    try:
        hello = json.loads(first)
        if hello.get("type") != "hello":
            raise RuntimeError(f"the server refused a session: {hello}")
        protocol.send_text(json.dumps({"type": "configure", "changes": {"view": {"speed": speed}}}))
        ready.set_result(None)
        await start.wait()
        protocol.out = out
        protocol.send_text('{"type":"play"}')
        await asyncio.sleep(seconds)
        protocol.out = []
    finally:
        assert protocol.transport is not None
        protocol.transport.close()


async def crowd(
    url: str, n: int, warm: float, seconds: float, speed: int, pid: int
) -> tuple[list[list[tuple[float, int]]], float, float, float]:
    """``n`` sessions playing at ``speed``; what each saw, the start of the measured window,
    and the CPU the server and this process used in it (in cores)."""
    loop = asyncio.get_running_loop()
    start = asyncio.Event()
    runs: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    ready = [loop.create_future() for _ in range(n)]
    tasks = [
        asyncio.create_task(player(url, warm + seconds, speed, ready[i], start, runs[i]))
        for i in range(n)
    ]
    await asyncio.gather(*ready)  # every session opened (the server builds each as it comes)
    await asyncio.sleep(0.5)  # and configured
    start.set()
    await asyncio.sleep(warm)
    begin = loop.time()
    server_cpu, own_cpu = cpu_seconds(pid), time.process_time()
    await asyncio.sleep(seconds)
    server_cores = (cpu_seconds(pid) - server_cpu) / seconds
    own_cores = (time.process_time() - own_cpu) / seconds
    await asyncio.gather(*tasks)
    return runs, begin, server_cores, own_cores


def class_figures(url: str, pid: int, args: argparse.Namespace) -> None:
    speed = ConvConfig().view.speed
    print(
        f"3. sessions training the default glyphs net at once on one server, speed {speed} "
        f"(asks {speed * CONV_FPS} steps/s), every client acks every frame; {args.seconds:g} s "
        f"measured after {args.warm_up:g} s of play; {os.cpu_count()} CPU cores shared by the "
        "server and the clients (one asyncio process); load average "
        f"{os.getloadavg()[0]:.1f} before"
    )
    for n in args.sessions:
        runs, begin, server_cores, own_cores = asyncio.run(
            crowd(url, n, args.warm_up, args.seconds, speed, pid)
        )
        rates, gaps, counts = [], [], []
        for frames in runs:
            kept = [f for f in frames if f[0] >= begin]
            counts.append(len(kept))
            if len(kept) < 2:
                rates.append(0.0)
                continue
            rates.append((kept[-1][1] - kept[0][1]) / (kept[-1][0] - kept[0][0]))
            gaps += [b[0] - a[0] for a, b in itertools.pairwise(kept)]
        frames_s = statistics.median(counts) / args.seconds
        per_frame = 1e3 * server_cores * args.seconds / max(sum(counts), 1)
        print(
            f"  {n} sessions: steps/s per session median {statistics.median(rates):.1f}, "
            f"slowest {min(rates):.1f}; frames/s per session median {frames_s:.1f}; p95 frame "
            f"interval {1e3 * percentile(gaps, 0.95):.0f} ms; CPU: server {server_cores:.2f} "
            f"cores ({per_frame:.1f} ms a frame, its steps included), clients {own_cores:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0, 1, … for figure 1")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds before giving up")
    parser.add_argument("--digit-speeds", type=int, nargs="+", default=[2, 5, 10])
    parser.add_argument(
        "--digit-samples",
        type=int,
        default=1797,
        help="digits in all (half for testing); 1797 is every one",
    )
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--seconds", type=float, default=8.0, help="measured per class size")
    parser.add_argument("--warm-up", type=float, default=2.0)
    parser.add_argument("--skip", default="", help="comma-separated: solve, frame, class")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    os.environ.setdefault("SPACEFOLD_MAX_SESSIONS", str(max(args.sessions) + 8))
    with live_server() as server:  # idle while the frames are timed
        url = server.ws_url + "/conv"
        if "solve" not in skip:
            solve_figures(url, args)
        if "frame" not in skip:
            render_figures(args.renders)
        if "class" not in skip:
            class_figures(url, server.process.pid, args)


if __name__ == "__main__":
    main()
