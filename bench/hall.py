"""A lecture hall on one machine: 1, 2 or 4 instances behind nginx, measured through its address.

For each instance count, starts that many instances (``--instance a``, ``b``, …; with more than
one, a Redis server of its own as their ``--broker``, so that a session's followers may land on
any instance) and nginx in front of them (server/nginxconf.py), then through nginx's address:

- N training sessions at once, every client acking its frames as the page does: the median and
  the slowest session's steps/s and the p95 frame interval (bench.classroom's figures);
- one teacher and M followers of it, spread over several client processes: the followers'
  frames/s, median and slowest.

After each, how many sessions (followers) landed on each instance, as their hello names it.

Run: python -m bench.hall [--instances 1 2 4] [--sessions 100] [--followers 500] [--seconds 8]
     [--speed 5] [--client-processes 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import string
from collections import Counter
from collections.abc import Callable, Iterator
from multiprocessing.synchronize import Event as ProcessEvent

from bench import classroom, wire
from server.brokerwire import TICK
from server.drawer import CROWD
from tests.live_server import live_server
from tests.nginx import nginx_proxy
from tests.redis import redis_server

Runs = list[list[tuple[float, int]]]


def ws_url(base: str) -> str:
    """The socket URL of an ``http://host:port/`` address."""
    return base.replace("http://", "ws://") + "ws"


def landing(counts: Counter[str], names: list[str]) -> str:
    """``a 34, b 33, c 33``: how many landed on each of ``names`` (and anywhere else)."""
    known = [f"{name} {counts.get(name, 0)}" for name in names]
    others = [f"{name} {n}" for name, n in sorted(counts.items()) if name not in names]
    return ", ".join(known + others)


@contextlib.contextmanager
def hall(count: int, most: int) -> Iterator[tuple[str, list[str]]]:
    """``count`` instances (Redis as their broker when more than one) behind nginx, each
    holding up to ``most`` sessions; yields nginx's address and the instances' names."""
    names = list(string.ascii_lowercase[:count])
    env = {**os.environ, "SPACEFOLD_MAX_SESSIONS": str(most)}
    with contextlib.ExitStack() as stack:
        broker: list[str] = []
        if count > 1:
            broker = ["--broker", stack.enter_context(redis_server())]
        servers = [
            stack.enter_context(live_server("--instance", name, *broker, drawing=True, env=env))
            for name in names
        ]
        instances = [
            (name, s.url.removeprefix("http://").rstrip("/"))
            for name, s in zip(names, servers, strict=True)
        ]
        yield stack.enter_context(nginx_proxy(instances, broker=bool(broker))), names


async def sessions(url: str, n: int, seconds: float, speed: int) -> tuple[Runs, Counter[str]]:
    """``n`` sessions training at ``speed`` through ``url`` (bench.classroom's clients), counted
    from when all of them have their hello: what each saw, and where they landed (a session's
    id begins with its instance's name, as its hello's ``instance`` says)."""
    loop = asyncio.get_running_loop()
    start = asyncio.Event()
    runs: Runs = [[] for _ in range(n)]
    hellos: list[asyncio.Future[str]] = [loop.create_future() for _ in range(n)]
    tasks = [
        asyncio.create_task(classroom.client(url, seconds, speed, start, runs[i], hellos[i]))
        for i in range(n)
    ]
    ids = await asyncio.gather(*hellos)
    start.set()
    await asyncio.gather(*tasks)
    return runs, Counter(session.partition("-")[0] for session in ids)


async def follower(
    url: str,
    seconds: float,
    start: asyncio.Event,
    out: list[tuple[float, int]],
    joined: asyncio.Future[str],
) -> None:
    """Follow through ``url``; ``joined`` receives the instance its hello names (or why it was
    refused). From ``start``, for ``seconds``, note (time, step) of every frame in ``out``
    (acking it)."""
    protocol, first = await wire.connect(url, [])
    try:
        hello = json.loads(first)
        where = hello.get("instance") or f"refused ({hello.get('message')})"
        joined.set_result(str(where))
        await start.wait()
        protocol.out = out
        await asyncio.sleep(seconds)
        protocol.out = []
    finally:
        assert protocol.transport is not None
        protocol.transport.close()


Seen = tuple[Runs, list[str]]


def follower_process(
    url: str,
    n: int,
    seconds: float,
    ready: multiprocessing.SimpleQueue[int],
    go: ProcessEvent,
    results: multiprocessing.SimpleQueue[Seen],
) -> None:
    """A client process: ``n`` followers that connect, say so once all have their hello, start
    when told, and send back what each saw and where it landed."""

    async def run() -> Seen:
        loop = asyncio.get_running_loop()
        start = asyncio.Event()
        runs: Runs = [[] for _ in range(n)]
        joined: list[asyncio.Future[str]] = [loop.create_future() for _ in range(n)]
        tasks = [
            asyncio.create_task(follower(url, seconds, start, out, where))
            for out, where in zip(runs, joined, strict=True)
        ]
        instances = await asyncio.gather(*joined)
        ready.put(n)
        await loop.run_in_executor(None, go.wait)
        start.set()
        await asyncio.gather(*tasks)
        return runs, list(instances)

    results.put(asyncio.run(run()))


async def followers(
    url: str, n: int, seconds: float, speed: int, processes: int
) -> tuple[Runs, Counter[str], str]:
    """One session trained at ``speed`` through ``url`` and ``n`` followers of it through
    ``url`` too, spread over ``processes`` client processes: what each follower saw, where the
    followers landed, and where the session did."""
    loop = asyncio.get_running_loop()
    start = asyncio.Event()
    hello: asyncio.Future[str] = loop.create_future()
    own: list[tuple[float, int]] = []
    leader = asyncio.create_task(classroom.client(url, seconds, speed, start, own, hello))
    session = await hello
    await asyncio.sleep(2 * TICK)  # by then its key is in Redis: any instance can serve it
    sent: list[Seen] = await classroom.in_processes(
        f"{url}?follow={session}", n, seconds, processes, start, follower_process
    )
    runs: Runs = []
    landed: Counter[str] = Counter()
    for seen, instances in sent:
        runs += seen
        landed.update(instances)
    await leader
    print(f"  leader drew {len(own) / seconds:.1f} frames/s")
    return runs, landed, session.partition("-")[0]


def at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number, ``low`` or more."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is less than {low}")
        return value

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=at_least(1), nargs="+", default=[1, 2, 4])
    parser.add_argument("--sessions", type=at_least(0), default=100, help="0: none")
    parser.add_argument("--followers", type=at_least(0), default=500, help="0: none")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument(
        "--speed", type=int, default=5, help="view.speed: 30 x speed steps a second; 0: flat out"
    )
    parser.add_argument(
        "--client-processes",
        type=at_least(1),
        default=4,
        help="spread the followers over this many client processes",
    )
    args = parser.parse_args()
    if not args.seconds > 2:
        parser.error("--seconds: more than 2 (the first second of each client is left out)")
    if max(args.instances) > len(string.ascii_lowercase):
        parser.error(f"--instances: at most {len(string.ascii_lowercase)} (named a, b, c, ...)")
    print(
        f"default experiment in every session, speed {args.speed}; clients ack every frame; "
        f"{os.cpu_count()} CPU cores shared by nginx, Redis, the instances and the clients"
    )
    most = max(args.sessions, args.followers + 1, CROWD) + 8
    for count in args.instances:
        with hall(count, most) as (base, names):
            url = ws_url(base)
            label = f"{count} instance{'s' if count > 1 else ''}"
            if args.sessions:
                runs, landed = asyncio.run(sessions(url, args.sessions, args.seconds, args.speed))
                classroom.report(f"{label}, {args.sessions} sessions", runs, args.seconds)
                print(f"  sessions on each instance: {landing(landed, names)}")
            if args.followers:
                watch = followers(
                    url, args.followers, args.seconds, args.speed, args.client_processes
                )
                runs, landed, teacher = asyncio.run(watch)
                classroom.report(
                    f"{label}, 1 session, {args.followers} followers in "
                    f"{args.client_processes} client processes",
                    runs,
                    args.seconds,
                )
                print(
                    f"  teacher on {teacher}; followers on each instance: {landing(landed, names)}"
                )


if __name__ == "__main__":
    main()
