"""The lesson step a page says it shows: checked against the served lessons of its mode."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from engine.errors import Refused
from engine.lessons import Lesson, served_lesson
from engine.schemas import ShowLesson


async def shown_step(
    pool: Executor, folder: Path, kind: type[Lesson], message: ShowLesson, listed_at: str
) -> dict[str, Any] | None:
    """``{"name", "step"}`` of ``message`` (None for no lesson), if it names a step of a lesson
    of ``folder`` that ``listed_at`` (an API path) lists; else Refused naming the field."""
    if message.name is None:
        return None
    loop = asyncio.get_running_loop()
    lesson = await loop.run_in_executor(pool, served_lesson, folder, message.name, kind)
    if lesson is None:
        raise Refused(
            f"there is no lesson {message.name}",
            "name",
            f"a lesson's name from GET {listed_at}, or null",
        )
    if message.step >= len(lesson.steps):
        raise Refused(
            f"lesson {message.name} has {len(lesson.steps)} steps",
            "step",
            f"from 0 up to {len(lesson.steps) - 1}",
        )
    return {"name": message.name, "step": message.step}
