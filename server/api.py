"""The JSON API: health, the config schema with presets, and dataset previews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from nets.datasets import make_dataset
from server.schemas import FIELDS, PRESETS, DataConfig, ExperimentConfig

router = APIRouter(prefix="/api")


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    manager = request.app.state.manager
    return {"status": "ok", "sessions": len(manager), "device": str(manager.device)}


@router.get("/schema")
async def schema() -> dict[str, Any]:
    """Every config field with its type, range or choices, the defaults and the presets."""
    return {
        "defaults": ExperimentConfig().model_dump(mode="json"),
        "fields": FIELDS,
        "presets": {name: config.model_dump(mode="json") for name, config in PRESETS.items()},
    }


class DatasetPreview(BaseModel):
    x: list[list[float]]
    y: list[int]
    n_train: int
    classes: int


@router.get("/dataset")
async def dataset(query: Annotated[DataConfig, Query()]) -> DatasetPreview:
    """The points a session with this data config would train on (train first, then test)."""
    data = make_dataset(query.dataset, query.points, query.noise, query.seed, query.classes,
                        query.test_ratio)
    return DatasetPreview(x=data.x.tolist(), y=data.y.tolist(), n_train=len(data.y_train),
                          classes=data.n_classes)
