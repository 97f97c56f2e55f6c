"""The experiment file: settings, points and weights, as saved, exported and imported."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from server.schemas import MAX_POINTS, ExperimentConfig, StrictModel

Number = Annotated[float, Field(ge=-1e6, le=1e6)]
Row = Annotated[list[Number], Field(max_length=32)]
Point = tuple[Number, Number]


class Points(StrictModel):
    x_train: list[Point] = Field(max_length=MAX_POINTS)
    y_train: list[Number] = Field(max_length=MAX_POINTS)
    x_test: list[Point] = Field(max_length=MAX_POINTS)
    y_test: list[Number] = Field(max_length=MAX_POINTS)
    classes: int = Field(ge=1, le=6)


class LayerWeights(StrictModel):
    weight: list[Row] = Field(max_length=32)
    bias: Row


class ExperimentFile(StrictModel):
    format: Literal["spacefold-experiment"] = "spacefold-experiment"
    version: Literal[1] = 1
    config: ExperimentConfig
    points: Points
    layers: list[LayerWeights] = Field(max_length=11)
    step: int = Field(0, ge=0)
