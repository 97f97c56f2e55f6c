"""Lessons: guided sequences of steps, each setting up an experiment with a short caption.

A lesson is a JSON file in ``lessons/`` (or the folder ``SPACEFOLD_LESSONS_DIR`` names), so a
teacher can write one without touching code. A file that does not validate is not served; the
list names it with the reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

from engine.errors import first_problem
from engine.schemas import (
    LESSON_NAME,
    MAX_LESSON_STEPS,
    ExperimentConfig,
    StrictModel,
    merge_config,
)

MAX_LESSON_BYTES = 256 * 1024
NAME = re.compile(LESSON_NAME)


class Text(StrictModel):
    en: str = Field(min_length=1, max_length=2000)
    zh: str = Field(min_length=1, max_length=2000)


class LessonStep(StrictModel):
    caption: Text
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    action: Literal["play", "pause", "reset", "step"] | None = None
    steps: int = Field(1, ge=1, le=1000, description="for the step action")


class Lesson(StrictModel):
    title: Text
    summary: Text
    start: dict[str, dict[str, Any]] = Field(default_factory=dict)
    steps: list[LessonStep] = Field(min_length=1, max_length=MAX_LESSON_STEPS)
    #: The experiment a lesson's changes build on (the convolution mode's lessons: ConvConfig).
    base: ClassVar[type[StrictModel]] = ExperimentConfig

    def configs(self) -> list[Any]:
        """The config each step leaves the experiment in (changes build on each other): an
        ExperimentConfig each (a ConvConfig each for the convolution mode's lessons)."""
        config = merge_config(self.base(), self.start)
        out = []
        for step in self.steps:
            config = merge_config(config, step.changes)
            out.append(config)
        return out


def load_lesson(path: Path, kind: type[Lesson] = Lesson) -> Lesson:
    """Read and check one lesson file of ``kind``; ValueError says what is wrong and where."""
    if path.stat().st_size > MAX_LESSON_BYTES:
        raise ValueError(f"{path.name}: over {MAX_LESSON_BYTES // 1024} KiB")
    try:
        lesson = kind.model_validate(json.loads(path.read_text(encoding="utf-8")))
        lesson.configs()  # every step's changes must make a valid experiment
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name}: not JSON text ({exc})") from None
    except ValidationError as exc:
        raise ValueError(f"{path.name}: {first_problem(exc, 'the lesson')}") from None
    return lesson


def load_lessons(
    folder: Path,
    kind: type[Lesson] = Lesson,
) -> tuple[dict[str, Lesson], dict[str, str]]:
    """Every valid lesson by name (its file name), and the problems of the others."""
    lessons: dict[str, Lesson] = {}
    problems: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        name = path.stem
        if not NAME.match(name):
            problems[path.name] = "a lesson's file name is lowercase letters, digits and dashes"
            continue
        try:
            lessons[name] = load_lesson(path, kind)
        except ValueError as exc:
            problems[name] = str(exc)
    return lessons, problems


def served_lesson(
    folder: Path,
    name: str,
    kind: type[Lesson] = Lesson,
) -> Lesson | None:
    """Lesson ``name`` of ``folder`` if it is one GET /api/lessons lists (it validates)."""
    path = folder / f"{name}.json"
    if not NAME.match(name) or not path.is_file():
        return None
    try:
        return load_lesson(path, kind)
    except ValueError:
        return None
