"""Drawing processes, fed straight from the event loop over pipes.

Each process takes one session's state (a ``SessionState``) at a time and sends back its
frame. The loop writes a job to an idle process's pipe and reads results when the pipe is
readable, so a frame crosses no helper thread on its way (a general process pool hands each
job through two, which costs a class server more than the pickling does).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import pickle
import signal
import threading
import traceback
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from engine import warmup
from engine.projections import ViewMemory
from engine.state import SessionState, draw, ready

log = logging.getLogger("spacefold")

Drawn = tuple[bytes, ViewMemory]
READY = b"ready"
#: A process that takes this long over one frame (timed from when it got the job; a frame
#: takes milliseconds, the largest a fifth of a second) is taken to hang.
HANG_S = 10.0


class DrawingFailed(RuntimeError):
    """A drawing process raised while drawing (the frame is lost, the process lives on)."""


class ProcessesGone(RuntimeError):
    """A drawing process died: the processes are closed and nothing more is drawn there."""


def serve(conn: Connection) -> None:
    """A drawing process: answer every session state with its frame, until the pipe closes (which
    is how it ends: Ctrl-C in the server's terminal is the server's to handle)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready()
    with contextlib.suppress(Exception):  # a frame that fails says why, with its job
        warmup.warm()  # before saying it is ready: the first frame then takes milliseconds
    # What is loaded by now (torch, the compiled routines, the kept network) stays: the
    # collector no longer walks it in every full collection (about 6 % of a frame).
    gc.freeze()
    try:
        conn.send_bytes(READY)
        while True:
            job = conn.recv_bytes()
            try:
                answer: object = draw(pickle.loads(job))
            except Exception:  # say what went wrong; the next job may be fine
                answer = DrawingFailed(traceback.format_exc())
            conn.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    except (EOFError, OSError):  # the server closed the pipe, or is gone
        return


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    started: bool = False
    job: asyncio.Future[Drawn] | None = None
    deadline: asyncio.TimerHandle | None = None  # cancelled with the answer: it holds the job


@dataclass
class _Job:
    blob: bytes
    future: asyncio.Future[Drawn]


@dataclass
class DrawingProcesses:
    """``count`` drawing processes. Create and use from the event loop's thread only."""

    count: int
    workers: list[_Worker] = field(default_factory=list)
    queue: deque[_Job] = field(default_factory=deque)
    closed: bool = False
    asked: int = 0  # states handed to the processes so far

    def __post_init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")
        try:
            for _ in range(self.count):
                parent, child = context.Pipe()
                process = context.Process(
                    target=serve, args=(child,), daemon=True, name="spacefold-draw"
                )
                process.start()
                child.close()
                worker = _Worker(process, parent)
                self.workers.append(worker)
                # NotImplementedError: an event loop that can't watch pipes (Windows')
                self.loop.add_reader(parent.fileno(), self._readable, worker)
        except BaseException:  # none of the processes started so far is left behind
            self.close()
            raise

    @property
    def ready(self) -> bool:
        """At least one process has started and none has died."""
        return not self.closed and any(w.started for w in self.workers)

    def draw(self, state: SessionState) -> asyncio.Future[Drawn]:
        """The frame of ``state``, from the first process free."""
        future: asyncio.Future[Drawn] = self.loop.create_future()
        if self.closed:
            future.set_exception(ProcessesGone("the drawing processes are closed"))
            return future
        self.asked += 1
        self.queue.append(_Job(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        for worker in self.workers:
            while worker.started and worker.job is None and self.queue:
                job = self.queue.popleft()
                if job.future.cancelled():
                    continue
                try:
                    worker.conn.send_bytes(job.blob)
                except OSError:
                    job.future.set_exception(ProcessesGone("a drawing process died"))
                    self.close()
                    return
                worker.job = job.future
                worker.deadline = self.loop.call_later(HANG_S, self._overdue, worker, job.future)

    def _overdue(self, worker: _Worker, job: asyncio.Future[Drawn]) -> None:
        """``HANG_S`` after a job went to ``worker``: if that job is still its job, the process
        hangs. The processes are closed (whatever waits hears so and draws in a thread)."""
        if worker.job is job and not job.done() and not self.closed:
            log.error("a drawing process gave no frame in %g s", HANG_S)
            self.close()

    def _readable(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv_bytes()
        except (EOFError, OSError):
            log.error("a drawing process died (exit code %s)", worker.process.exitcode)
            self.close()
            return
        if not worker.started:
            worker.started = message == READY
        else:
            future, worker.job = worker.job, None
            _cancel(worker)  # else the timer would keep the frame alive for HANG_S
            answer = pickle.loads(message)
            if future is not None and not future.done():
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
        self._dispatch()

    def close(self) -> None:
        """Stop every process; whatever was waiting hears that they are gone."""
        if self.closed:
            return
        self.closed = True
        for worker in self.workers:
            with contextlib.suppress(NotImplementedError):
                self.loop.remove_reader(worker.conn.fileno())
            worker.conn.close()  # the process sees the pipe close and returns
            _cancel(worker)
            if worker.job is not None and not worker.job.done():
                worker.job.set_exception(ProcessesGone("the drawing processes are closed"))
        while self.queue:
            job = self.queue.popleft()
            if not job.future.done():
                job.future.set_exception(ProcessesGone("the drawing processes are closed"))
        processes = [worker.process for worker in self.workers]
        threading.Thread(
            target=_reap, args=(processes,), name="spacefold-reap", daemon=True
        ).start()


def _cancel(worker: _Worker) -> None:
    if worker.deadline is not None:
        worker.deadline.cancel()
        worker.deadline = None


def _reap(processes: list[BaseProcess]) -> None:
    """Wait for closed processes to end (they see their pipes close), stopping any that
    don't, so that none is left a zombie."""
    for process in processes:
        process.join(timeout=2)
        if process.is_alive():
            process.terminate()
            process.join(timeout=2)
