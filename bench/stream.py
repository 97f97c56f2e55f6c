"""Figures for the default experiment: training steps/s, server ms per frame, bytes per frame,
and frames/s a client receives from a real server.

Run: python -m bench.stream [--seconds 5] [--width 2 --depth 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import statistics
import time
from collections.abc import Callable

import torch
import websockets

from bench.stats import percentile
from engine.encoding import read_header
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from engine.state import draw
from tests.live_server import live_server


def timed(fn: object, repeat: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Seconds each of ``repeat`` calls of ``fn`` took by ``clock`` (wall time by default;
    ``time.thread_time``: CPU time of this thread, which other load on the cores leaves alone)."""
    assert callable(fn)
    out = []
    for _ in range(repeat):
        start = clock()
        fn()
        out.append(clock() - start)
    return out


def server_side(config: ExperimentConfig, seconds: float) -> None:
    torch.set_num_threads(1)
    session = Session(config, torch.device("cpu"))
    session.train(20)  # warm up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.train(50)
        steps += 50
    rate = steps / (time.perf_counter() - start)
    frame_times = timed(lambda: session.frame(), 200)
    cpu_times = timed(lambda: session.frame(), 200, time.thread_time)
    size = len(session.frame())
    snapshot_times = timed(lambda: session.copy_state(), 200)
    blob = pickle.dumps(session.copy_state())
    draw_times = timed(lambda: draw(pickle.loads(blob)), 200)
    print(
        f"training: {rate:,.0f} steps/s ({rate * len(session.data.y_train):,.0f} examples/s, "
        "full batch)"
    )
    print(
        f"server work per frame: median {statistics.median(frame_times) * 1e3:.2f} ms, "
        f"p95 {percentile(frame_times, 0.95) * 1e3:.2f} ms (probe + encode); CPU time "
        f"median {statistics.median(cpu_times) * 1e3:.2f} ms, "
        f"p95 {percentile(cpu_times, 0.95) * 1e3:.2f} ms, fastest tenth "
        f"{percentile(cpu_times, 0.1) * 1e3:.2f} ms"
    )
    print(
        f"  as the server splits it: snapshot {statistics.median(snapshot_times) * 1e3:.3f} ms "
        f"in the server process, then {statistics.median(draw_times) * 1e3:.2f} ms to draw it "
        "in a drawing process"
    )
    print(f"bytes per frame: {size:,}")


async def client_side(url: str, config: ExperimentConfig, seconds: float) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "configure", "changes": config.model_dump()}))
        await ws.send(json.dumps({"type": "play"}))
        loop = asyncio.get_running_loop()
        frames, first_step, last_step = 0, None, 0
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            message = await ws.recv()
            if isinstance(message, bytes):
                header = read_header(message)
                await ws.send(json.dumps({"type": "ack"}))
                frames += 1
                first_step = header["step"] if first_step is None else first_step
                last_step = header["step"]
        print(
            f"client received: {frames / seconds:.1f} frames/s, "
            f"{(last_step - (first_step or 0)) / seconds:,.0f} training steps/s while streaming"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=2)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument(
        "--speed", type=int, default=5, help="view.speed: 30 x speed steps a second; 0: flat out"
    )
    parser.add_argument("--projection", choices=["pair", "pca", "3d"], default="pair")
    parser.add_argument(
        "--regions",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="decision regions in every 2-wide stage (default on)",
    )
    args = parser.parse_args()
    config = merge_config(
        ExperimentConfig(),
        {
            "model": {"width": args.width, "depth": args.depth},
            "view": {"speed": args.speed, "projection": args.projection, "regions": args.regions},
        },
    )
    view = config.view
    print(
        f"experiment: {config.data.dataset}, {config.data.points} points, "
        f"{args.depth} hidden layers of width {args.width}; grid {view.grid_lines}x2 lines x "
        f"{view.grid_samples} samples, regions {view.region_resolution}^2 in the input plane, "
        f"{view.stage_region_resolution}^2 elsewhere "
        f"({'every 2-wide stage' if view.regions else 'input plane only'}), "
        f"projection {view.projection}; torch {torch.__version__}, 1 thread"
    )
    server_side(config, args.seconds)
    with live_server(drawing=True) as server:
        asyncio.run(client_side(server.ws_url, config, args.seconds))


if __name__ == "__main__":
    main()
