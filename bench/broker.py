"""Follow mode through Redis: how long a teacher's frame takes from instance a to a follower on b.

Starts a Redis server of its own and two instances on it (``--broker``), a teacher training on
a and N followers of it on b, every client acking its frames as the page does. A frame's
latency is the time a follower on b received it less the time the teacher on a did (one
clock: every client is in this process). Prints, per N, the median and 95th percentile of the
latency and the frames a second each follower received.

Run: python -m bench.broker [--followers 1 30] [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics

from bench import wire
from bench.stats import percentile
from tests.live_server import live_server
from tests.redis import redis_server


async def measure(a: str, b: str, followers: int, seconds: float) -> tuple[list[float], float]:
    """Latencies in ms of every frame a follower got that the teacher got too; frames/s."""
    sent: list[tuple[float, int]] = []
    teacher, hello = await wire.connect(a, sent)
    session = json.loads(hello)["session"]
    seen: list[list[tuple[float, int]]] = [[] for _ in range(followers)]
    clients = [await wire.connect(f"{b}?follow={session}", out) for out in seen]
    await asyncio.sleep(1.5)  # every follower joined and has its first frame
    for out in (sent, *seen):
        out.clear()
    teacher.send_text(json.dumps({"type": "play"}))
    await asyncio.sleep(seconds)
    teacher.send_text(json.dumps({"type": "pause"}))
    left = {step: when for when, step in sent}
    latencies = [(when - left[step]) * 1000 for out in seen for when, step in out if step in left]
    for client, _ in (*clients, (teacher, hello)):
        assert client.transport is not None
        client.transport.close()
    return latencies, statistics.mean(len(out) for out in seen) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, nargs="+", default=[1, 30])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    with (
        redis_server() as url,
        live_server("--broker", url, "--instance", "a") as a,
        live_server("--broker", url, "--instance", "b") as b,
    ):
        for followers in args.followers:
            latencies, rate = asyncio.run(measure(a.ws_url, b.ws_url, followers, args.seconds))
            print(
                f"{followers:4d} followers on b: latency a→b median "
                f"{statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} "
                f"ms ({len(latencies)} frames); {rate:.0f} frames/s each"
            )


if __name__ == "__main__":
    main()
