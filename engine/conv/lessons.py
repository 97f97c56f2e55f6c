"""The convolution mode's lessons: the same files as the fold's (:mod:`engine.lessons`), kept in
their own folder, ``conv/`` inside the lessons folder, whose changes build on a ConvConfig."""

from __future__ import annotations

from typing import ClassVar

from engine.conv.schemas import ConvConfig
from engine.lessons import Lesson
from engine.schemas import StrictModel

#: The folder of the convolution lessons, inside the lessons folder.
CONV_LESSONS = "conv"


class ConvLesson(Lesson):
    base: ClassVar[type[StrictModel]] = ConvConfig
