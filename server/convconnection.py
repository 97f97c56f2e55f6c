"""One WebSocket of the convolution mode: control messages in, conv frames out.

Like :mod:`server.connection`, with the outbox as the only writer to the socket. A conv net
trains here, in the session's own loop (a few steps a frame, in a worker thread), not in the
fold's gym: its steps are convolutions, not the tiny matrix products the gym batches.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any, assert_never

from pydantic import ValidationError
from starlette.websockets import WebSocket

from engine import events
from engine.conv.frame import render_conv
from engine.conv.lessons import CONV_LESSONS, ConvLesson
from engine.conv.schemas import (
    CONV_MESSAGE,
    ConvConfigure,
    ConvMessage,
    SetInput,
    SetKernel,
    SetReadout,
    conv_allowed_text,
)
from engine.conv.session import ConvSession
from engine.errors import Refused, validation_event
from engine.schemas import Ack, Pause, Ping, Play, Reset, ShowLesson, Step, merge_config
from nets.train import Diverged
from server.lessonstep import shown_step
from server.receiving import ACK, Unreadable, apply_or_explain, is_ack, parse_json, receive
from server.settings import Settings
from server.watched import Watched

#: Frames a second at most while training (each draws every stage and the metrics).
CONV_FPS = 30
#: Frames a second for every conv session training at once together: a frame costs about as
#: much as three steps, so a class shares a budget and its steps go on between frames.
CONV_FRAME_BUDGET = 120.0
#: While training, the metrics (every sample scored: most of a frame's cost) are worked out
#: again at most this often, in seconds; a paused frame always has them fresh.
METRICS_AGE = 0.2


class ConvConnection(Watched[ConvSession]):
    def __init__(
        self,
        ws: WebSocket,
        session: ConvSession,
        pool: Executor,
        settings: Settings,
        busy: Callable[[], int] = lambda: 1,
    ) -> None:
        super().__init__(ws, session, pool, settings, busy)

    async def serve(self) -> None:
        """Run until the client goes away; always cleans up its tasks."""
        self.greet()
        sender = asyncio.create_task(self.outbox.run(self.ws))
        runner = asyncio.create_task(self._run())
        watchdog = asyncio.create_task(
            self.idle.run(
                self.ws,
                lambda: self.session.running or bool(self.followers),
                self._send,
                self._stop,
            )
        )
        tasks = (sender, runner, watchdog)
        try:
            await receive(
                self.ws,
                self.idle,
                lambda received: read_conv_message(received, self.max_bytes),
                lambda message: apply_or_explain(
                    self._apply, message, self._send, conv_allowed_text
                ),
                self._send,
                (sender, runner),
            )
        finally:
            self.session.running = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- training and frames --------------------------------------------------------------
    def interval(self) -> float:
        """Seconds between frames while training: 1/CONV_FPS, or a fair share of
        :data:`CONV_FRAME_BUDGET` when many conv sessions train at once (a class)."""
        return max(1.0 / CONV_FPS, self.busy() / CONV_FRAME_BUDGET)

    async def _run(self) -> None:
        """Train ``view.speed`` steps every 1/CONV_FPS s while running; draw when the client is
        ready and something changed (while training, once an :meth:`interval` at most)."""
        loop = asyncio.get_running_loop()
        drawn_at = -math.inf
        while True:
            self.wake.clear()
            start = loop.time()
            running = self.session.running
            if running:
                await self._train(self.session.config.view.speed)
            due = not running or loop.time() - drawn_at >= self.interval()
            if (self.dirty or running) and due and self.outbox.wants_frame():
                self.dirty = False
                drawn_at = loop.time()
                try:
                    age = METRICS_AGE if self.session.running else 0.0
                    frame = await self._locked(render_conv, self.session, age)
                    self._offer_frame(frame)
                except Exception:  # a bug must not kill the session: say so, keep going
                    self._frame_failed()
            if self.session.running:
                await asyncio.sleep(max(0.0, 1.0 / CONV_FPS - (loop.time() - start)))
            else:
                await self.wake.wait()

    async def _train(self, steps: int) -> None:
        if steps <= 0:
            return
        try:
            await self._locked(self.session.step, steps)
        except Refused as exc:  # past the step cap: nothing was trained
            self.session.running = False
            self._send(exc.event())
            self._send_state()
        except Diverged as exc:
            self._diverged(exc, self.session.trainer.step_count)
        self.dirty = True

    # -- control messages -----------------------------------------------------------------
    async def _apply(self, message: ConvMessage) -> None:
        session = self.session
        match message:
            case Ack():
                self.outbox.ack()
                return
            case Ping():
                self._send(events.pong())
                return
            case ShowLesson():
                await self._show_lesson(message)  # nothing to draw: only followers hear of it
                return
            case Play():
                session.running = True
            case Pause():
                session.running = False
            case Step(count=count):
                session.running = False
                await self._train(count)
            case Reset():
                await self._locked(session.reset)
            case SetKernel():
                await self._locked(session.set_kernel, message)
            case SetReadout():
                await self._locked(session.set_readout, message)
            case SetInput(values=values):
                await self._locked(session.set_input, values)
            case ConvConfigure(changes=changes):
                await self._locked(lambda: session.configure(merge_config(session.config, changes)))
            case _:
                assert_never(message)
        self.dirty = True
        self.edits += 1
        self.wake.set()
        self._send_state()

    async def _show_lesson(self, message: ShowLesson) -> None:
        """The page shows this convolution lesson step (or none)."""
        folder = self.lessons_dir / CONV_LESSONS
        self.show_lesson(
            await shown_step(self.pool, folder, ConvLesson, message, "/api/conv/lessons")
        )


def read_conv_message(received: Mapping[str, Any], max_bytes: int) -> ConvMessage:
    """The conv client message in a message from the socket. Raises :class:`Unreadable`."""
    if is_ack(received):
        return ACK
    raw = parse_json(received, max_bytes)
    try:
        return CONV_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        raise Unreadable(validation_event(exc, skip=1, allowed_of=conv_allowed_text)) from None
