"""Frames drawn from a copy of a session's state, in another process, are the frames the
session itself draws."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import pickle
import signal
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import websockets

import server.drawer
import server.processes
from engine.encoding import decode_frame
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from engine.state import draw, holding
from server.drawer import CROWD, Drawer
from server.processes import DrawingFailed
from tests.live_server import live_server
from tests.server.wsutil import run_async

CASES: list[dict[str, dict[str, Any]]] = [
    {},
    {"model": {"width": 5, "depth": 2}, "view": {"projection": "pca", "units": True}},
    {"data": {"dataset": "bumps"}, "model": {"width": 3}},
    {"model": {"features": ["x1", "x2", "x1*x2"]}},
    {
        "data": {"dataset": "spiral", "classes": 3},
        "train": {"loss": "hinge"},
        "view": {"projection": "3d", "regions": False},
    },
]


def session_of(changes: dict[str, dict[str, Any]]) -> Session:
    session = Session(merge_config(ExperimentConfig(), changes), torch.device("cpu"))
    session.train(25)
    return session


def assert_same_frame(a: bytes, b: bytes) -> None:
    header_a, arrays_a = decode_frame(a)
    header_b, arrays_b = decode_frame(b)
    assert header_a == header_b
    assert list(arrays_a) == list(arrays_b)
    for name, array in arrays_a.items():
        np.testing.assert_array_equal(arrays_b[name], array, err_msg=name)


@pytest.mark.parametrize("changes", CASES)
def test_a_pickled_state_draws_the_sessions_own_frame(changes: dict[str, Any]) -> None:
    session, twin = session_of(changes), session_of(changes)
    for _ in range(3):  # the view memory (PCA bases) carries from frame to frame
        own = session.frame()
        drawn, memory = draw(pickle.loads(pickle.dumps(twin.copy_state())))
        twin.remember(memory)
        assert_same_frame(own, drawn)
        session.train(5)
        twin.train(5)


def test_a_session_off_the_cpu_draws_its_frames_on_the_cpu_the_same() -> None:
    session, twin = session_of(CASES[1]), session_of(CASES[1])
    twin.device = torch.device("cuda")  # as if it trained there: frames use a CPU copy
    for _ in range(3):
        assert_same_frame(session.frame(), twin.frame())
        session.train(5)
        twin.train(5)
    assert twin._cpu_net is not None and twin._cpu_net is not twin.net


def test_holding_reuses_a_network_of_the_states_shape_only() -> None:
    state = session_of({}).copy_state()
    net = holding(state)
    assert holding(state, net) is net
    other = holding(session_of({"model": {"width": 3}}).copy_state(), net)
    assert other is not net and other.widths == (3, 3, 3)
    for param, value in zip(holding(state, net).parameters(), state.params, strict=True):
        np.testing.assert_array_equal(param.detach().numpy(), value)


def test_a_net_with_dropout_is_drawn_without_it() -> None:
    session = session_of({"model": {"width": 6, "dropout": 0.5}})
    drawn, _ = draw(pickle.loads(pickle.dumps(session.copy_state())))
    assert_same_frame(session.frame(), drawn)
    assert_same_frame(session.frame(), drawn)  # no mask was drawn: the same twice


def test_a_copied_state_does_not_move_with_the_session() -> None:
    session = session_of({})
    state = session.copy_state()
    before, _ = draw(state)
    session.train(50)
    again, _ = draw(state)
    assert_same_frame(before, again)
    assert decode_frame(session.frame())[0]["step"] == 75


def test_memory_of_an_older_generation_is_dropped() -> None:
    session = session_of({"model": {"width": 5}, "view": {"projection": "pca"}})
    _, memory = draw(session.copy_state())
    session.reset()
    session.generation += 1
    session.remember(memory)
    assert session.copy_state().memory.generation == session.generation


async def frames_until_ready(drawer: Drawer, session: Session) -> bytes:
    for _ in range(600):
        if drawer.ready:
            return await drawer.frame(session, CROWD)
        await drawer.frame(session, CROWD)
        await asyncio.sleep(0.05)
    raise AssertionError("the drawing process never started")


def with_drawer(session: Session, body: Callable[[Drawer], Awaitable[None]]) -> None:
    """Run ``body`` with a drawer of one drawing process, once it has started."""

    async def run() -> None:
        with ThreadPoolExecutor(2) as threads:
            drawer = Drawer(threads, processes=1)
            try:
                await frames_until_ready(drawer, session)
                assert drawer.processes is not None
                await body(drawer)
            finally:
                drawer.close()

    run_async(run())


def test_the_drawing_process_draws_what_the_session_draws() -> None:
    session = session_of({"model": {"width": 4}, "view": {"projection": "pca"}})

    async def body(drawer: Drawer) -> None:
        for _ in range(3):
            assert_same_frame(await drawer.frame(session, CROWD), session.frame())
            session.train(5)

    with_drawer(session, body)


def test_a_drawn_frame_says_which_step_it_shows_wherever_it_is_drawn() -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        for load in (CROWD, 0):  # in the drawing process, then in a thread
            session.train(3)
            drawn = await drawer.draw(session, load)
            header, _ = decode_frame(drawn.frame)
            assert drawn.shows == (header["generation"], header["step"])
            assert drawn.shows == (session.generation, session.step)

    with_drawer(session, body)


def test_frames_go_on_in_threads_when_the_drawing_process_dies() -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        for worker in drawer.processes.workers:
            assert worker.process.pid is not None
            os.kill(worker.process.pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        frame = await drawer.frame(session, CROWD)  # drawn in a thread now
        assert not drawer.ready
        assert_same_frame(frame, session.frame())

    with_drawer(session, body)


def test_drawing_processes_start_again_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    session = session_of({})
    monkeypatch.setattr(server.drawer, "RETRY_S", 0.0)

    async def body(drawer: Drawer) -> None:
        first = drawer.processes
        assert first is not None
        for worker in first.workers:
            assert worker.process.pid is not None
            os.kill(worker.process.pid, signal.SIGKILL)
        while not first.closed:
            await asyncio.sleep(0.05)
        await frames_until_ready(drawer, session)  # in threads until the new ones start
        assert drawer.processes is not first and drawer.restarts == 1
        assert_same_frame(await drawer.frame(session, CROWD), session.frame())
        assert drawer.processes is not None and drawer.processes.asked >= 1

    with_drawer(session, body)


def test_a_drawing_process_that_hangs_hands_frames_back_to_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        monkeypatch.setattr(server.processes, "HANG_S", 1e-6)  # no frame comes that fast
        frame = await drawer.frame(session, CROWD)
        assert not drawer.ready
        assert_same_frame(frame, session.frame())

    with_drawer(session, body)


def test_time_waiting_in_the_queue_is_not_taken_for_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = session_of(
        {"model": {"width": 16, "depth": 4}, "view": {"region_resolution": 128, "units": True}}
    )

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        started = time.perf_counter()
        await drawer.frame(session, CROWD)
        each = time.perf_counter() - started
        monkeypatch.setattr(server.processes, "HANG_S", max(0.2, 4 * each))
        frames = await asyncio.gather(*(drawer.frame(session, CROWD) for _ in range(20)))
        assert drawer.ready  # 20 frames queued for longer than HANG_S, none of them hung
        assert len(frames) == 20 and drawer.processes.asked == 22

    with_drawer(session, body)


def test_closed_processes_are_reaped() -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        pids = [w.process.pid for w in drawer.processes.workers]
        drawer.close()
        deadline = time.monotonic() + 10
        while any(_stat(pid) is not None for pid in pids if pid) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert [_stat(pid) for pid in pids if pid] == [None]  # gone, not a zombie

    with_drawer(session, body)


def test_a_quiet_server_draws_in_threads() -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        asked = drawer.processes.asked
        drawn = await drawer.frame(session, CROWD - 1)
        assert drawer.processes.asked == asked  # drawn in a thread
        assert_same_frame(drawn, session.frame())
        await drawer.frame(session, CROWD)
        assert drawer.processes.asked == asked + 1

    with_drawer(session, body)


def test_no_drawing_process_starts_before_the_server_is_busy() -> None:
    session = session_of({})

    async def run() -> None:
        with ThreadPoolExecutor(2) as threads:
            drawer = Drawer(threads, processes=1)
            try:
                for _ in range(3):
                    assert_same_frame(await drawer.frame(session, CROWD - 1), session.frame())
                assert (drawer.processes, drawer.count, drawer.wanted) == (None, 0, 1)
                await drawer.frame(session, CROWD)  # drawn in a thread, and they start
                assert drawer.processes is not None and drawer.count == 1
            finally:
                drawer.close()

    run_async(run())


def test_a_drawn_frame_is_not_kept_once_it_is_taken() -> None:
    """The watch for a hang ends with the answer: it held every frame for HANG_S (10 s), 300 MB
    with a class drawing 500 frames a second."""
    session = session_of({"view": {"projection": "pca"}})

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        _, memory = await drawer.processes.draw(session.copy_state())
        kept = weakref.ref(memory)
        del memory
        await asyncio.sleep(0)  # the event loop is done with the callback that woke this up
        gc.collect()
        assert kept() is None
        assert all(w.deadline is None for w in drawer.processes.workers)

    with_drawer(session, body)


def test_a_state_that_cannot_be_drawn_fails_alone() -> None:
    session = session_of({})

    async def body(drawer: Drawer) -> None:
        assert drawer.processes is not None
        broken = session.copy_state()
        broken.params[0] = np.zeros((7, 7), np.float32)  # not the network's shape
        with pytest.raises(DrawingFailed, match="RuntimeError"):
            await drawer.processes.draw(broken)
        assert drawer.ready  # the process lives on
        assert_same_frame(await drawer.frame(session, CROWD), session.frame())

    with_drawer(session, body)


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Live servers with two drawing processes, whatever the cores (one core would give none)."""
    monkeypatch.setenv("SPACEFOLD_FRAME_PROCESSES", "2")


@pytest.mark.usefixtures("two_processes")
def test_a_live_server_starts_drawing_processes_once_crowded_and_draws_there() -> None:
    async def one_tab(url: str) -> None:  # alone, it trains and gets frames from threads
        await crowd(url, 1)

    async def crowd(url: str, tabs: int = CROWD) -> list[dict[str, Any]]:
        sockets = [await websockets.connect(url, max_size=None) for _ in range(tabs)]
        try:
            for ws in sockets:
                await ws.send(json.dumps({"type": "play"}))
            headers: list[dict[str, Any]] = []
            for ws in sockets:
                got = 0
                while got < 10:
                    message = await ws.recv()
                    if isinstance(message, bytes):
                        headers.append(decode_frame(message)[0])
                        await ws.send(json.dumps({"type": "ack"}))
                        got += 1
            return headers
        finally:
            for ws in sockets:
                await ws.close()

    with live_server("--device", "cpu") as server:
        run_async(one_tab(server.ws_url))
        quiet = server.health()["drawing"]
        assert (quiet["processes"], quiet["most"], quiet["ready"]) == (0, 2, False)
        for _ in range(20):  # they take a couple of seconds to start
            headers = run_async(crowd(server.ws_url))
            drawing = server.health()["drawing"]
            if drawing["frames"] > 0:
                break
    assert drawing["ready"] and drawing["processes"] == drawing["most"] and drawing["frames"] > 0
    assert all(h["type"] == "frame" and h["metrics"]["train_loss"] is not None for h in headers)


def _stat(pid: int) -> tuple[str, int] | None:
    """A process' state letter and parent (Linux' /proc); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if (stat := _stat(pid)) is not None and stat[0] != "Z"]


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    every = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    return [child for child in _alive(every) if (stat := _stat(child)) and stat[1] == pid]


@pytest.mark.usefixtures("two_processes")
def test_drawing_processes_do_not_outlive_a_killed_server() -> None:
    with live_server("--device", "cpu", drawing=True) as server:
        started = children(server.process.pid)
        assert len(started) == 3  # the drawing processes and multiprocessing's tracker
        server.process.kill()
        server.process.wait()
        deadline = time.monotonic() + 10
        while _alive(started) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _alive(started) == []
