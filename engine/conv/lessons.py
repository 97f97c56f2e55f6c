"""The convolution mode's lessons: the same files as the fold's (:mod:`engine.lessons`), kept in
their own folder, ``conv/`` inside the lessons folder, whose changes build on a ConvConfig.

A step may also set kernels by hand (``kernels``: each as a ``set_kernel`` message holds it,
without its ``type``) and the classifier (``readout``: as ``set_readout`` holds it), after its
changes and before its action: the lecture's hand-built detectors, which the class then
watches learn.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from engine.conv.schemas import (
    MAX_FEATURES,
    MAX_KERNEL,
    ConvConfig,
    SetKernel,
    SetReadout,
    Value,
)
from engine.lessons import Lesson, LessonStep
from engine.schemas import MAX_LESSON_STEPS, StrictModel
from nets.conv import MAX_CHANNELS, MAX_LAYERS

#: The folder of the convolution lessons, inside the lessons folder.
CONV_LESSONS = "conv"


class HandKernel(StrictModel):
    """One kernel set by hand, as :class:`SetKernel` takes it."""

    layer: int = Field(ge=0, le=MAX_LAYERS - 1)
    channel: int = Field(ge=0, le=MAX_CHANNELS - 1)
    weights: list[Value] = Field(min_length=1, max_length=MAX_CHANNELS * MAX_KERNEL**2)
    bias: Value | None = None

    def message(self) -> SetKernel:
        return SetKernel(type="set_kernel", **self.model_dump())


class HandReadout(StrictModel):
    """The classifier set by hand, as :class:`SetReadout` takes it."""

    weight: list[Annotated[list[Value], Field(min_length=1, max_length=MAX_FEATURES)]] = Field(
        min_length=1, max_length=10
    )
    bias: list[Value] | None = Field(None, min_length=1, max_length=10)

    def message(self) -> SetReadout:
        return SetReadout(type="set_readout", **self.model_dump())


class ConvLessonStep(LessonStep):
    kernels: list[HandKernel] = Field(default_factory=list, max_length=MAX_LAYERS * MAX_CHANNELS)
    readout: HandReadout | None = None


class ConvLesson(Lesson):
    steps: list[ConvLessonStep] = Field(min_length=1, max_length=MAX_LESSON_STEPS)  # type: ignore[assignment]
    base: ClassVar[type[StrictModel]] = ConvConfig
