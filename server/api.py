"""The JSON API: health, the config schema with presets, and dataset previews."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path as PathType
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict

from engine import palette
from engine.lessons import NAME, Lesson, load_lesson, load_lessons
from engine.presets import CHALLENGES, DATASET_RECIPES, PRESETS
from engine.schemas import DATASETS, FIELDS, MAX_WEIGHT, DataConfig, ExperimentConfig
from nets.datasets import make_dataset
from nets.editing import BadData, from_csv, to_csv
from nets.features import FORMULAS
from server.deps import SessionId, change_session, session_of

router = APIRouter(prefix="/api")


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    manager = request.app.state.manager
    drawer = request.app.state.drawer
    return {
        "status": "ok",
        "sessions": len(manager),
        "device": str(manager.device),
        "device_choice": request.app.state.device.as_dict(),
        "threads": threading.active_count(),
        "tasks": len(asyncio.all_tasks()),
        "drawing": {
            "processes": drawer.count,
            "most": drawer.wanted,
            "ready": drawer.ready,
            "frames": drawer.drawn,
        },
    }


@router.get("/schema")
async def schema(request: Request) -> dict[str, Any]:
    """Every config field with its type, range (within this server's caps) or choices, the
    defaults and the presets; what each dataset takes, each input feature's formula, the
    largest weight a hand edit sets, and the colours."""
    return {
        "defaults": ExperimentConfig().model_dump(mode="json"),
        "fields": request.app.state.manager.caps.schema_fields(FIELDS),
        "presets": {name: config.model_dump(mode="json") for name, config in PRESETS.items()},
        "challenges": {
            name: {"goal": c["goal"], "config": c["config"].model_dump(mode="json")}
            for name, c in CHALLENGES.items()
        },
        "recipes": DATASET_RECIPES,
        "datasets": DATASETS,
        "features": FORMULAS,
        "max_weight": MAX_WEIGHT,
        "palette": palette.served(),
    }


class DatasetPreview(BaseModel):
    x: list[list[float]]
    y: list[int] | list[float]  # classes, or target values for a regression set
    n_train: int
    classes: int


class DataQuery(DataConfig):
    """The data config as a query string holds it: all text, its numbers read from it."""

    model_config = ConfigDict(strict=False)


@router.get("/dataset")
async def dataset(query: Annotated[DataQuery, Query()]) -> DatasetPreview:
    """The points a session with this data config would train on (train first, then test)."""
    if query.dataset == "custom":
        raise HTTPException(
            422, "custom data is drawn or uploaded in a session: it has no generator to preview"
        )
    data = make_dataset(
        query.dataset,
        query.points,
        query.noise,
        query.seed,
        query.classes,
        query.test_ratio,
        query.turns,
    )
    return DatasetPreview(
        x=data.x.tolist(), y=data.y.tolist(), n_train=len(data.y_train), classes=data.n_classes
    )


MAX_UPLOAD_BYTES = 1 << 20


@router.get("/sessions/{session_id}/data.csv", response_class=PlainTextResponse)
async def export_points(request: Request, session_id: SessionId) -> PlainTextResponse:
    """The session's points as CSV: x, y, label, split."""
    session = session_of(request, session_id)
    with session.lock:
        text = to_csv(session.data)
    return PlainTextResponse(
        text,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="spacefold-points.csv"'},
    )


@router.post("/sessions/{session_id}/data.csv")
async def import_points(request: Request, session_id: SessionId) -> dict[str, Any]:
    """Replace the session's points with a CSV file's (x, y, label[, split]). A bad file is
    refused with the line and the reason, and the session keeps its points."""
    session = session_of(request, session_id)
    body = await request.body()
    if len(body) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"the file is over {MAX_UPLOAD_BYTES // 1024} KiB")
    try:
        data = from_csv(body, session.data.n_classes, session.caps.max_points)
    except BadData as exc:
        raise HTTPException(422, str(exc)) from None

    await change_session(session, lambda s: s.edit_data(lambda _: data))
    return {"points": len(data.y), "train": len(data.y_train), "test": len(data.y_test)}


def lesson_index(folder: PathType, kind: type[Lesson]) -> dict[str, Any]:
    """The lessons of ``folder`` (title, summary, number of steps) and the files that are not."""
    found, problems = load_lessons(folder, kind)
    return {
        "lessons": [
            {
                "name": name,
                "title": lesson.title.model_dump(),
                "summary": lesson.summary.model_dump(),
                "steps": len(lesson.steps),
            }
            for name, lesson in found.items()
        ],
        "problems": problems,
    }


def lesson_file(folder: PathType, name: str, kind: type[Lesson]) -> Lesson:
    """Lesson ``name`` of ``folder``: a 404 when there is none, a 422 when it does not validate."""
    path = folder / f"{name}.json"
    if not path.is_file():
        raise HTTPException(404, f"no lesson {name}")
    try:
        return load_lesson(path, kind)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/lessons")
async def lessons(request: Request) -> dict[str, Any]:
    """Every lesson (title, summary, number of steps), and the files that are not lessons."""
    return lesson_index(request.app.state.settings.lessons_dir, Lesson)


@router.get("/lessons/{name}")
async def lesson(request: Request, name: Annotated[str, Path(pattern=NAME.pattern)]) -> Lesson:
    return lesson_file(request.app.state.settings.lessons_dir, name, Lesson)
