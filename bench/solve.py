"""Time to solve: from play to a frame showing ≥ 95 % test accuracy, while streaming.

Both spirals, ours and the Playground's (500 points, no noise, half of them for testing), six
hidden layers of 8 ReLU units, trained with the recipe that choosing a spiral from the menu sets
(``engine.presets.DATASET_RECIPES``; ``--adam``: the trainer's default, Adam 0.03 on the whole
set) as fast as the server can (``view.speed`` 0) while a client receives and acknowledges every
frame as the page does. Prints each run's wall time (from sending play to receiving the frame)
and the step it took, over several seeds.

Run: python -m bench.solve [--runs 5] [--goal 0.95] [--speed 0] [--adam]
     [--datasets spiral playground_spiral]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from typing import Any

import websockets

from engine.encoding import read_header
from engine.presets import DATASET_RECIPES
from tests.live_server import live_server

ADAM = {"optimizer": "adam", "lr": 0.03, "batch_size": 0}  # the trainer's default


async def solve(
    url: str, dataset: str, train: dict[str, Any], seed: int, goal: float, speed: int, limit: float
) -> tuple[float, int]:
    """Seconds from play to the first frame at ``goal`` test accuracy, and its step."""
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()  # hello
        changes = {
            "data": {
                "dataset": dataset,
                "classes": 2,
                "points": 500,
                "noise": 0.0,
                "test_ratio": 0.5,
                "seed": seed,
            },
            "model": {"width": 8, "depth": 6},
            "train": train,
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
    parser.add_argument("--adam", action="store_true", help="Adam 0.03, full batch instead")
    parser.add_argument("--datasets", nargs="+", default=["spiral", "playground_spiral"])
    args = parser.parse_args()
    with live_server(drawing=True) as server:
        for dataset in args.datasets:
            train = ADAM if args.adam else DATASET_RECIPES[dataset]["train"]
            print(
                f"{dataset} (2 arms, 500 points, no noise), 6 hidden layers of 8, {train}, "
                f"speed {args.speed}; goal {args.goal:.0%} test accuracy"
            )
            times = []
            for seed in range(args.runs):
                seconds, step = asyncio.run(
                    solve(server.ws_url, dataset, train, seed, args.goal, args.speed, args.limit)
                )
                times.append(seconds)
                print(
                    f"  seed {seed}: "
                    + (
                        f"{seconds:.2f} s (step {step})"
                        if step >= 0
                        else f"not in {args.limit:g} s (stuck below the goal)"
                    )
                )
            solved = [t for t in times if t != float("inf")]
            print(
                f"  time to solve: median {statistics.median(times):.2f} s of {len(times)} "
                f"seeds; {len(solved)} solved, the slowest of them in "
                f"{max(solved, default=0.0):.2f} s"
            )


if __name__ == "__main__":
    main()
