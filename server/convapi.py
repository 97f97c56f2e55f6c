"""The convolution mode's JSON API: its config schema, the shapes it can draw, the classic
kernels, and the output-size formula's inputs, all from the engine (one place)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from engine.conv.lessons import CONV_LESSONS, ConvLesson
from engine.conv.schemas import CONV_FIELDS, MAX_VALUE, ConvConfig
from engine.lessons import NAME
from nets.sharing import KERNELS_1D, KERNELS_2D
from nets.signals import GLYPHS, MOTIFS
from server.api import lesson_file, lesson_index

router = APIRouter(prefix="/api/conv")


@router.get("/schema")
async def conv_schema() -> dict[str, Any]:
    """Every conv config field with its type and range or choices, the defaults, the motifs
    (their samples) and glyphs that data can hold, the classic kernels by name, and the
    largest value a drawn input or a hand-set kernel weight may have."""
    return {
        "defaults": ConvConfig().model_dump(mode="json"),
        "fields": CONV_FIELDS,
        "motifs": {name: [float(v) for v in m] for name, m in MOTIFS.items()},
        "glyphs": list(GLYPHS),
        "kernels": {
            "1d": {name: k.tolist() for name, k in KERNELS_1D.items()},
            "2d": {name: k.tolist() for name, k in KERNELS_2D.items()},
        },
        "max_value": MAX_VALUE,
    }


@router.get("/lessons")
async def conv_lessons(request: Request) -> dict[str, Any]:
    """Every convolution lesson (title, summary, number of steps), and the files that are not
    lessons."""
    return lesson_index(request.app.state.settings.lessons_dir / CONV_LESSONS, ConvLesson)


@router.get("/lessons/{name}")
async def conv_lesson(
    request: Request, name: Annotated[str, Path(pattern=NAME.pattern)]
) -> ConvLesson:
    """Lesson ``name``, its steps' hand-set kernels and readout included."""
    lesson = lesson_file(request.app.state.settings.lessons_dir / CONV_LESSONS, name, ConvLesson)
    assert isinstance(lesson, ConvLesson)
    return lesson
