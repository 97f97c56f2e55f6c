"""The gym: one thread that trains every playing session, cohort by cohort, apart from frames.

Training is not tied to frames: a session playing at speed s (``view.speed``) is owed
``30 · s`` steps a second (s steps a frame at 30 frames a second) whether its tab draws 60
frames a second or 3, and speed 0 means as many as the server can give. Sessions whose
networks share a shape and optimizer (see ``nets.cohort.cohort_key``) and their speed train as
one batched computation, which is what lets one machine hold a class. The connection draws
frames from whatever the weights are when its client is ready for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from engine import warmup
from engine.session import Session
from nets import fused
from nets.cohort import Cohort, cohort_key
from nets.train import MAX_STEP, Diverged, past_limit

log = logging.getLogger("spacefold")

#: Steps a second per unit of ``view.speed``.
SPEED_CLOCK = 30.0
#: A member's owed steps are capped at this many seconds' worth (no catching up after a stall).
BACKLOG_S = 0.1
#: The slowest a step of any cohort is assumed to be before it has been timed.
FIRST_GUESS_S = 0.002
#: A member waits until it is owed this many seconds' worth of steps (a few steps a run, not one).
MIN_RUN_S = 0.02
#: Fewer sessions than this that could train as one cohort train one by one instead, each on
#: its trainer's fused path (nets.fused) where it takes them: measured on the default network,
#: 30 sessions one by one take 1.5 ms a run of 3 steps against the cohort's 2.6 ms, and the two
#: meet at about 60.
COHORT_MIN = 48
#: A cohort unused this long is let go (its members left or were rebuilt).
FORGET_S = 5.0

Done = Callable[[Exception | None], None]


@dataclass
class Member:
    session: Session
    done: Done  # after each run: None, Diverged or an error
    loop: asyncio.AbstractEventLoop | None = None  # where ``done`` runs; None: the gym's thread
    owed: float = 0.0
    last: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        """Steps a second owed while running (inf: as fast as possible)."""
        speed = self.session.config.view.speed
        return float("inf") if speed == 0 else speed * SPEED_CLOCK


class Gym:
    """Call :meth:`join` when a connection opens and :meth:`leave` when it closes; the gym
    trains whichever members are running. ``slice_s`` is how long one cohort's run holds its
    sessions' locks (frames and control messages wait at most that long)."""

    def __init__(self, slice_s: float = 0.01) -> None:
        self.slice_s = slice_s
        self.members: dict[str, Member] = {}
        self.step_time: dict[Hashable, float] = {}  # seconds per step, by cohort
        self.cohorts: dict[Hashable, tuple[Cohort, float]] = {}  # bound cohort, last used
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="spacefold-gym", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def join(
        self, session: Session, done: Done, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        """Train ``session`` while it runs; ``done`` hears of each run, in ``loop`` if given
        (the members of a run that share a loop are told in one call)."""
        with self._cond:
            self.members[session.id] = Member(session, done, loop)
            self._cond.notify_all()

    def leave(self, session: Session) -> None:
        with self._cond:
            self.members.pop(session.id, None)

    def wake(self) -> None:
        """Something changed (play, a new speed): look again now."""
        with self._cond:
            self._cond.notify_all()

    # -- the thread -----------------------------------------------------------------------
    def _loop(self) -> None:
        fused.ensure_compiled()  # before the first session plays (numba's cache: a blink)
        try:  # and what frames use, before the first frame drawn in this process
            warmup.warm()
        except Exception:  # a frame says what is wrong when it is drawn; training goes on
            log.exception("the compiled frame routines could not be loaded")
        while True:
            with self._cond:
                if self._stop:
                    return
                running = [m for m in self.members.values() if m.session.running]
                if not running:
                    self._cond.wait(timeout=0.25)
                    continue
            trained = False
            try:
                self._accrue(running)
                for key, group in self._cohorts(running).items():
                    trained |= self._run(key, group)
            except Exception:  # a bug must not stop every session's training: log, go on
                log.exception("the training loop failed; it goes on")
                self.cohorts.clear()
                time.sleep(0.05)
            now = time.perf_counter()
            for key, (cohort, used) in list(self.cohorts.items()):
                if now - used > FORGET_S:
                    del self.cohorts[key]
                    self.step_time.pop(key, None)
                    self._let_go(cohort)
            if not trained:
                time.sleep(0.002)  # every member is busy (a frame, a message) or owed nothing

    def _let_go(self, cohort: Cohort) -> None:
        """A cohort no longer used: its members that are still here get tensors of their own
        (under their locks, as a run takes them), to train on alone without copying."""
        trainers = {id(t) for t in cohort.trainers}
        with self._cond:
            members = list(self.members.values())
        held = sorted(
            (m for m in members if id(m.session.trainer) in trainers),
            key=lambda m: m.session.id,
        )
        for m in held:
            m.session.lock.acquire()
        try:
            cohort.release()
        finally:
            for m in held:
                m.session.lock.release()

    @staticmethod
    def _accrue(running: list[Member]) -> None:
        """Each member is owed the steps its rate gives for the time since it was last seen."""
        now = time.perf_counter()
        for m in running:
            m.owed = min(m.owed + (now - m.last) * m.rate, max(1.0, m.rate * BACKLOG_S))
            m.last = now

    @staticmethod
    def _cohorts(running: list[Member]) -> dict[Hashable, list[Member]]:
        """The members owed enough steps, grouped by what can train together."""
        groups: dict[Hashable, list[Member]] = defaultdict(list)
        for m in running:
            if m.owed < max(1.0, m.rate * MIN_RUN_S):
                continue
            key = cohort_key(m.session.trainer)
            # Sessions that cannot share a computation train alone: a key of their own.
            groups[(key, m.rate) if key is not None else ("alone", m.session.id)].append(m)
        out: dict[Hashable, list[Member]] = {}
        for key, members in groups.items():
            small = len(members) < COHORT_MIN
            if small and all(m.session.trainer.path is None for m in members):
                out.update({("alone", m.session.id): [m] for m in members})
            else:
                out[key] = members
        return out

    def _run(self, key: Hashable, group: list[Member]) -> bool:
        """Train the members of one cohort; True if any was trained or told it cannot be. Their
        locks are taken in the order of their ids (nothing else ever holds two), so a frame
        being drawn finishes first and a cohort keeps its members from run to run."""
        held = sorted(group, key=lambda m: m.session.id)
        for m in held:
            m.session.lock.acquire()
        try:
            outcomes = self._run_held(key, held)
        finally:
            for m in held:
                m.session.lock.release()
        self._report(outcomes)
        return bool(outcomes)

    def _run_held(self, key: Hashable, held: list[Member]) -> list[tuple[Member, Exception | None]]:
        """:meth:`_run` under the members' locks: how each member's run went. A member at the
        last step it may count (nets.train.MAX_STEP) is told so and not trained; the others
        take no more steps than the closest of them to it has left."""
        live: list[Member] = []
        spent: list[tuple[Member, Exception | None]] = []
        for m in held:
            if not m.session.running or self.members.get(m.session.id) is not m:
                continue
            limit = past_limit(m.session.step, 1)
            if limit is None:
                live.append(m)
            else:
                spent.append((m, limit))
        trainers = [m.session.trainer for m in live]
        keys = {cohort_key(t) for t in trainers}
        if not live or len(keys) != 1:
            return spent  # a member was rebuilt since it was grouped: next time
        per_step = self.step_time.get(key, FIRST_GUESS_S)
        room = min(MAX_STEP - t.step_count for t in trainers)
        steps = int(max(1, min(self.slice_s / per_step, room, *(m.owed for m in live))))
        started = time.perf_counter()
        outcome = self._train(key, live, steps, None in keys)
        self.step_time[key] = (time.perf_counter() - started) / steps
        for m in live:
            m.owed -= steps
            m.session.trained()
        return spent + list(zip(live, outcome, strict=True))

    @staticmethod
    def _report(outcomes: list[tuple[Member, Exception | None]]) -> None:
        """Tell each member how its run went: one wake-up per event loop, not per member."""
        by_loop: dict[asyncio.AbstractEventLoop | None, list[tuple[Done, Exception | None]]] = {}
        for m, result in outcomes:
            by_loop.setdefault(m.loop, []).append((m.done, result))
        for loop, calls in by_loop.items():
            if loop is None:
                _tell(calls)
                continue
            with contextlib.suppress(RuntimeError):  # the loop has closed: the server stops
                loop.call_soon_threadsafe(_tell, calls)

    def _train(
        self, key: Hashable, live: list[Member], steps: int, alone: bool
    ) -> list[Exception | None]:
        try:
            if alone or len(live) == 1:
                (member,) = live
                member.session.trainer.step(steps)
                return [None]
            trainers = [m.session.trainer for m in live]
            cohort = self.cohorts.get(key, (None, 0.0))[0]
            if cohort is None or not cohort.fits(trainers):
                cohort = Cohort(trainers)
            self.cohorts[key] = (cohort, time.perf_counter())
            diverged = cohort.train(steps)
            return [diverged.get(i) for i in range(len(live))]
        except Diverged as exc:
            return [exc]
        except Exception as exc:  # a bug must not stop the gym: the members hear of it
            log.exception("training %d sessions failed", len(live))
            return [exc] * len(live)


def _tell(calls: list[tuple[Done, Exception | None]]) -> None:
    for done, result in calls:
        try:
            done(result)
        except Exception:  # one member's trouble must not keep the news from the others
            log.exception("a member could not take the outcome of its run")
