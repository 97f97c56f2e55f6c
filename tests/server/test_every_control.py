"""Every setting changes what the network computes or what the frame shows."""

from typing import Any

import numpy as np
import pytest
import torch

from engine.encoding import decode_frame
from engine.schemas import FIELDS, ExperimentConfig, merge_config
from engine.session import Session

# A different valid value for every field (some only matter with another setting beside them).
CHANGES: dict[str, tuple[Any, dict[str, dict[str, Any]]]] = {
    "data.dataset": ("xor", {}),
    "data.classes": (3, {"data": {"dataset": "spiral"}}),
    "data.points": (200, {}),
    "data.noise": (0.2, {}),
    "data.test_ratio": (0.3, {}),
    "data.seed": (11, {}),
    "data.turns": (1.0, {"data": {"dataset": "spiral"}}),
    "model.width": (5, {}),
    "model.depth": (1, {}),
    "model.widths": ([3, 2], {}),
    "model.activation": ("tanh", {}),
    "model.init": ("uniform", {}),
    "model.dropout": (0.5, {}),
    "model.features": (["x1", "x2", "x1*x2"], {}),
    "train.optimizer": ("sgd", {}),
    "train.lr": (0.001, {}),
    "train.batch_size": (10, {}),
    "train.loss": ("hinge", {}),
    "train.penalty": ("l2", {"train": {"rate": 0.1}}),
    "train.rate": (0.5, {"train": {"penalty": "l1"}}),
    "train.decay": ("step", {"train": {"decay_every": 5}}),
    "train.decay_every": (2, {"train": {"decay": "exponential"}}),
    "view.speed": (50, {}),
    "view.grid_lines": (5, {}),
    "view.grid_samples": (9, {}),
    "view.region_resolution": (16, {}),
    "view.stage_region_resolution": (12, {}),
    "view.units": (True, {}),
    "view.unit_resolution": (8, {"view": {"units": True}}),
    "view.projection": ("pca", {"model": {"width": 5}}),
    "view.pair": ([3, 4], {"model": {"width": 5}}),
    "view.regions": (False, {}),
}


def test_every_field_has_a_change_listed() -> None:
    assert set(CHANGES) == set(FIELDS)


def run(changes: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    session = Session(merge_config(ExperimentConfig(), changes), torch.device("cpu"))
    session.train(session.config.view.speed * 4)
    return decode_frame(session.frame())


def differs(
    a: tuple[dict[str, Any], dict[str, np.ndarray]], b: tuple[dict[str, Any], dict[str, np.ndarray]]
) -> bool:
    (ha, aa), (hb, ab) = a, b
    if set(aa) != set(ab) or ha["metrics"] != hb["metrics"] or ha["step"] != hb["step"]:
        return True
    if ha["stages"] != hb["stages"] or ha["layers"] != hb["layers"]:
        return True
    return any(aa[k].shape != ab[k].shape or not np.array_equal(aa[k], ab[k]) for k in aa)


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_changing_the_field_changes_the_frame(field: str) -> None:
    value, context = CHANGES[field]
    section, name = field.split(".")
    changed = {**context, section: {**context.get(section, {}), name: value}}
    assert differs(run(context), run(changed)), f"{field} = {value!r} changed nothing"
