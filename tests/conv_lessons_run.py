"""A convolution lesson played headless, as the page plays it, and the frame each step leaves.

As for the fold's lessons (tests/lessons_run.py): a step's config changes, then its action;
``play`` trains :data:`PLAY_STEPS` steps (about 17 s at the default speed, 30 frames a second),
``step`` that many, ``reset`` new weights, ``pause`` none; a step's hand-set kernels and
readout come after its changes (and a reset) and before it trains. A lesson starts paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from engine.conv.frame import conv_frame
from engine.conv.lessons import CONV_LESSONS, ConvLesson
from engine.conv.schemas import ConvConfig
from engine.conv.session import ConvSession
from engine.lessons import load_lesson
from engine.schemas import merge_config
from server.settings import LESSONS_DIR

PLAY_STEPS = 1000


@dataclass(frozen=True)
class ConvReading:
    index: int  # 0-based step of the lesson
    config: ConvConfig
    header: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def metrics(self) -> dict[str, float]:
        return dict(self.header["metrics"])


def conv_lesson(name: str) -> ConvLesson:
    lesson = load_lesson(LESSONS_DIR / CONV_LESSONS / f"{name}.json", ConvLesson)
    assert isinstance(lesson, ConvLesson)
    return lesson


@cache
def play_conv(name: str) -> tuple[ConvReading, ...]:
    """Every step of lesson ``name`` played in order, as the page plays it."""
    lesson = conv_lesson(name)
    session = ConvSession(merge_config(ConvConfig(), lesson.start))
    readings = []
    for index, step in enumerate(lesson.steps):
        session.configure(merge_config(session.config, step.changes))
        if step.action == "reset":
            session.reset()
        for kernel in step.kernels:  # set by hand after the changes, before the action
            session.set_kernel(kernel.message())
        if step.readout is not None:
            session.set_readout(step.readout.message())
        playing = step.action == "play" or (step.action in (None, "reset") and session.running)
        if playing:
            session.running = True
            session.step(PLAY_STEPS)
        elif step.action == "step":
            session.running = False
            session.step(step.steps)
        elif step.action == "pause":
            session.running = False
        header, arrays = conv_frame(session)
        readings.append(ConvReading(index, session.config, header, arrays))
    return tuple(readings)
