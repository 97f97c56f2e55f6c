"""Time to solve: from play to a frame showing ≥ 95 % test accuracy, while streaming.

The 2-arm spiral (500 points, no noise, half of them for testing), six hidden layers of 8
ReLU units, Adam at 0.03, trained as fast as the server can (``view.speed`` 0) while a client
receives and acknowledges every frame as the page does. Prints each run's wall time (from
sending play to receiving the frame) and the step it took, over several seeds.

Run: python -m bench.solve [--runs 5] [--goal 0.95] [--speed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

import websockets

from engine.encoding import read_header
from tests.live_server import live_server


async def solve(url: str, seed: int, goal: float, speed: int, limit: float) -> tuple[float, int]:
    """Seconds from play to the first frame at ``goal`` test accuracy, and its step."""
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()  # hello
        changes = {
            "data": {
                "dataset": "spiral",
                "classes": 2,
                "points": 500,
                "noise": 0.0,
                "test_ratio": 0.5,
                "seed": seed,
            },
            "model": {"width": 8, "depth": 6},
            "train": {"optimizer": "adam", "lr": 0.03},
            "view": {"speed": speed},
        }
        await ws.send(json.dumps({"type": "configure", "changes": changes}))
        while True:  # the new network's first frame: then the clock starts
            message = await ws.recv()
            if isinstance(message, bytes):
                await ws.send(json.dumps({"type": "ack"}))
                break
        loop = asyncio.get_running_loop()
        started = loop.time()
        await ws.send(json.dumps({"type": "play"}))
        while loop.time() - started < limit:
            message = await ws.recv()
            if not isinstance(message, bytes):
                continue
            header = read_header(message)
            await ws.send(json.dumps({"type": "ack"}))
            if (header["metrics"]["test_acc"] or 0.0) >= goal:
                return loop.time() - started, int(header["step"])
        return float("inf"), -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="seeds 0, 1, … tried")
    parser.add_argument("--goal", type=float, default=0.95)
    parser.add_argument("--speed", type=int, default=0, help="view.speed (0: flat out)")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds before giving up")
    args = parser.parse_args()
    print(
        f"spiral (2 arms, 500 points, no noise), 6 hidden layers of 8, Adam 0.03, "
        f"speed {args.speed}; goal {args.goal:.0%} test accuracy"
    )
    times = []
    with live_server(drawing=True) as server:
        for seed in range(args.runs):
            seconds, step = asyncio.run(
                solve(server.ws_url, seed, args.goal, args.speed, args.limit)
            )
            times.append(seconds)
            print(
                f"seed {seed}: "
                + (
                    f"{seconds:.2f} s (step {step})"
                    if step >= 0
                    else f"not in {args.limit:g} s (stuck below the goal)"
                )
            )
    solved = [t for t in times if t != float("inf")]
    print(
        f"time to solve: median {statistics.median(times):.2f} s of {len(times)} seeds; "
        f"{len(solved)} solved, the slowest of them in {max(solved, default=0.0):.2f} s"
    )


if __name__ == "__main__":
    main()
