"""The experiment file: settings, points and weights, as saved, exported and imported."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import torch
from pydantic import Field

from engine.errors import Refused
from engine.schemas import MAX_POINTS, ExperimentConfig, JsonTuple, StrictModel
from engine.session import Session
from nets.datasets import REGRESSION, Dataset
from nets.model import FoldNet
from nets.train import MAX_STEP

#: The largest magnitude of any number in a file.
BOUND = 1e6
Number = Annotated[float, Field(ge=-BOUND, le=BOUND)]
Row = Annotated[list[Number], Field(max_length=32)]
Point = Annotated[tuple[Number, Number], JsonTuple]
#: Why a network whose weights are not all finite and within BOUND cannot be written.
DIVERGED = (
    "the network diverged (a weight is not finite, or past ±10⁶): reset it or load a save first"
)


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
    format: Literal["spacefold-experiment"]
    version: Literal[1]
    config: ExperimentConfig
    points: Points
    layers: list[LayerWeights] = Field(max_length=11)
    step: int = Field(0, ge=0, le=MAX_STEP)


def to_file(session: Session) -> ExperimentFile:
    """Everything needed to reopen ``session``'s experiment exactly: settings, points, weights.
    Refused when the network diverged (a weight is not finite, or past :data:`BOUND`)."""
    d, net = session.data, session.net
    linears = [net.linear(i) for i in range(1, net.depth + 2)]
    with torch.no_grad():  # NaN is not within any bound
        if not all(bool((p.abs() <= BOUND).all()) for m in linears for p in (m.weight, m.bias)):
            raise Refused(DIVERGED)
    return ExperimentFile(
        format="spacefold-experiment",
        version=1,
        config=session.config,
        points=Points(
            x_train=d.x_train.tolist(),
            y_train=d.y_train.tolist(),
            x_test=d.x_test.tolist(),
            y_test=d.y_test.tolist(),
            classes=d.n_classes,
        ),
        layers=[
            LayerWeights(
                weight=m.weight.detach().cpu().tolist(), bias=m.bias.detach().cpu().tolist()
            )
            for m in linears
        ],
        step=session.step,
    )


def restore(session: Session, saved: ExperimentFile) -> None:
    """Reopen a saved experiment in ``session``. The file is checked whole first: one that does
    not fit its own settings is refused and the session stays as it was."""
    p = saved.points
    if len(p.x_train) != len(p.y_train) or len(p.x_test) != len(p.y_test):
        raise Refused("the file has a different number of points and labels", "points")
    regression = saved.config.data.dataset in REGRESSION
    classes = None if regression else p.classes
    data = Dataset(
        np.array(p.x_train, np.float32).reshape(-1, 2),
        labels("y_train", p.y_train, classes),
        np.array(p.x_test, np.float32).reshape(-1, 2),
        labels("y_test", p.y_test, classes),
        classes or 1,
    )
    m = saved.config.model
    net = FoldNet(
        m.hidden, m.activation, data.n_classes, init=m.init, dropout=m.dropout, features=m.features
    )
    shapes = [tuple(net.linear(i).weight.shape) for i in range(1, net.depth + 2)]
    found = [
        (len(layer.weight), len(layer.weight[0]) if layer.weight else 0) for layer in saved.layers
    ]
    biases_fit = all(len(x.bias) == s[0] for x, s in zip(saved.layers, shapes, strict=False))
    if found != shapes or not biases_fit:
        raise Refused(f"the weights do not fit the network: {found} against {shapes}", "layers")
    session.adopt(saved.config, data)
    for i, layer in enumerate(saved.layers, start=1):
        session.set_layer(i, layer.weight, layer.bias)
    session.trainer.step_count = saved.step


def labels(name: str, found: list[float], classes: int | None) -> np.ndarray:
    """A file's labels as a dataset holds them: numbers for regression (``classes`` None), else
    classes, each a whole number from 0 to ``classes`` - 1 (refused, naming the first that
    is not, never rounded)."""
    y = np.array(found, np.float64)
    if classes is None:
        return y.astype(np.float32)
    bad = (y != np.floor(y)) | (y < 0) | (y >= classes)
    if bad.any():
        i = int(np.argmax(bad))
        raise Refused(
            f"label {found[i]} is not a class",
            f"points.{name}.{i}",
            f"whole numbers from 0 up to {classes - 1}",
        )
    return y.astype(np.int64)
