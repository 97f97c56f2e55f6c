"""Named experiments one click away, and the build-it-yourself challenges."""

from __future__ import annotations

from typing import Any

from server.schemas import ExperimentConfig, merge_config


def _config(changes: dict[str, dict[str, Any]]) -> ExperimentConfig:
    return merge_config(ExperimentConfig(), changes)


SPIRAL = {"dataset": "spiral", "points": 500, "seed": 0}

PRESETS: dict[str, ExperimentConfig] = {
    # Moons, 3 hidden layers of width 2: learns within a second or two.
    "default": ExperimentConfig(),
    # The lecture's net: 4 hidden layers of width 2 on the spiral; it gets stuck, points folded
    # to zero for good. (Searched: seeds 0-199, lr 0.003-0.03, Glorot/He, up to 20,000 steps; the
    # best reached 84 % test accuracy.)
    "lecture": _config({"data": SPIRAL, "model": {"width": 2, "depth": 4},
                        "train": {"lr": 0.01}}),
    # The same net on a spiral of one turn instead of 1.75: it unrolls it and separates the
    # classes (≥ 95 % test accuracy by step 300, 98 % later).
    "lecture_solved": _config({"data": {**SPIRAL, "seed": 77, "turns": 1.0},
                               "model": {"width": 2, "depth": 4}, "train": {"lr": 0.01}}),
    # The same task, wider: it learns.
    "wide": _config({"data": SPIRAL, "model": {"width": 16, "depth": 3}, "train": {"lr": 0.01}}),
}

#: Set the weights by hand until the classes separate: ``goal`` is the training accuracy.
CHALLENGES: dict[str, dict[str, Any]] = {
    "xor": {
        "goal": 0.95,
        "config": _config({"data": {"dataset": "xor", "points": 200, "seed": 1},
                           "model": {"width": 4, "depth": 1, "init": "zero"}}),
    },
    "circles": {
        "goal": 0.95,
        "config": _config({"data": {"dataset": "circles", "points": 200, "seed": 1},
                           "model": {"width": 4, "depth": 1, "init": "zero"}}),
    },
}
