"""Tabs coming and going against the real server: what is left behind, and resident memory.

Each cycle opens a socket, starts training and ends the connection one of five ways: a polite
close; vanishing while frames stream (no close handshake); dropping with a frame acknowledged and
the next on its way; vanishing halfway through sending a control message of its own (a
WebSocket frame cut short); and closing before even reading the hello.

Prints the server's resident memory (VmRSS) after a warm-up and at the end, and its sessions,
threads and asyncio tasks before and after (from ``/api/health``).

Run: python -m bench.cycles [--cycles 1000] [--warmup 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import time
import urllib.request
from typing import Any

import websockets

from tests.live_server import LiveServer, live_server

WAYS = ("polite", "vanish", "drop in flight", "cut mid-frame", "close at once")


def health(server: LiveServer) -> dict[str, Any]:
    """The server's ``/api/health``: sessions, threads and asyncio tasks."""
    with urllib.request.urlopen(server.url + "api/health", timeout=10) as response:
        body: dict[str, Any] = json.load(response)
    return body


def rss_kib(pid: int) -> int:
    """Resident memory of process ``pid`` in KiB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def half_a_frame(text: str) -> bytes:
    """The first half of a masked client text frame carrying ``text``."""
    payload = text.encode()
    mask = b"\x01\x02\x03\x04"
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    frame = struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked
    return frame[: len(frame) // 2]


async def cycle(url: str, way: int) -> None:
    """One tab: connect, play, then go away in the ``way``-th manner (see WAYS)."""
    ws = await websockets.connect(url, max_size=None)
    if way == 4:
        await ws.close()
        return
    await ws.recv()  # hello
    await ws.send(json.dumps({"type": "play"}))
    if way == 0:
        await ws.recv()
        await ws.close()
    elif way == 1:
        ws.transport.abort()
    elif way == 2:
        await ws.send(json.dumps({"type": "ack"}))
        ws.transport.close()
    else:
        ws.transport.write(half_a_frame(json.dumps({"type": "step", "count": 3})))
        ws.transport.abort()


async def cycles(url: str, count: int, start: int = 0) -> None:
    """``count`` cycles one after another, going through every way in turn."""
    for i in range(start, start + count):
        await cycle(url, i % len(WAYS))


def settle(server: LiveServer, baseline: dict[str, Any], seconds: float = 10.0) -> dict[str, Any]:
    """Health once the server has let go of every closed tab (or ``seconds`` have passed)."""
    deadline = time.monotonic() + seconds
    while True:
        now = health(server)
        if (
            now["sessions"] == 0 and now["tasks"] <= baseline["tasks"]
        ) or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def measure(server: LiveServer, total: int, warmup: int) -> dict[str, Any]:
    """Run ``warmup`` cycles, note health and RSS, run the rest, note them again."""
    pid = server.process.pid
    before = health(server)
    asyncio.run(cycles(server.ws_url, warmup))
    warm = settle(server, before)
    rss_start = rss_kib(pid)
    began = time.monotonic()
    asyncio.run(cycles(server.ws_url, total - warmup, start=warmup))
    seconds = time.monotonic() - began
    after = settle(server, warm)
    return {
        "before": before,
        "warm": warm,
        "after": after,
        "rss_start": rss_start,
        "rss_end": rss_kib(pid),
        "seconds": seconds,
        "cycles": total,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    with live_server(drawing=True) as server:
        r = measure(server, args.cycles, args.warmup)
    growth = (r["rss_end"] - r["rss_start"]) / r["rss_start"]
    print(f"{r['cycles']} cycles ({args.warmup} warm-up), each way in turn: {', '.join(WAYS)}")
    print(
        f"{r['cycles'] - args.warmup} measured cycles took {r['seconds']:.1f} s "
        f"({(r['cycles'] - args.warmup) / r['seconds']:.0f} a second)"
    )
    print(
        f"resident memory after warm-up {r['rss_start'] / 1024:.1f} MiB, at the end "
        f"{r['rss_end'] / 1024:.1f} MiB ({growth:+.1%})"
    )
    for key in ("sessions", "threads", "tasks"):
        print(
            f"{key}: before {r['before'][key]}, after warm-up {r['warm'][key]}, "
            f"at the end {r['after'][key]}"
        )


if __name__ == "__main__":
    main()
