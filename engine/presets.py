"""Named experiments one click away, and the build-it-yourself challenges."""

from __future__ import annotations

from typing import Any

from engine.schemas import ExperimentConfig, merge_config


def _config(changes: dict[str, dict[str, Any]]) -> ExperimentConfig:
    return merge_config(ExperimentConfig(), changes)


SPIRAL = {"dataset": "spiral", "points": 500, "seed": 0}

PRESETS: dict[str, ExperimentConfig] = {
    # Moons, 3 hidden layers of width 2: learns within a second or two.
    "default": ExperimentConfig(),
    # The lecture's net: 4 hidden layers of width 2 on the spiral; it gets stuck. Its folds kill
    # points of one class only; what it loses are points of both classes sent to one place
    # (merged; tests/server/test_presets.py). (Searched: seeds 0-199, lr 0.003-0.03,
    # Glorot/He, up to 20,000 steps; the best reached 84 % test accuracy.)
    "lecture": _config({"data": SPIRAL, "model": {"width": 2, "depth": 4}, "train": {"lr": 0.01}}),
    # The same net on a spiral of one turn instead of 1.75: it unrolls it and separates the
    # classes (≥ 95 % test accuracy by step 300, 98 % later).
    "lecture_solved": _config(
        {
            "data": {**SPIRAL, "seed": 77, "turns": 1.0},
            "model": {"width": 2, "depth": 4},
            "train": {"lr": 0.01},
        }
    ),
    # The same task, wider: it learns. Its stages are 16 wide: drawn on their PCA plane, the
    # spiral unrolls from fold to fold (two of its units would show a dead one as a flat line).
    "wide": _config(
        {
            "data": SPIRAL,
            "model": {"width": 16, "depth": 3},
            "train": {"lr": 0.01},
            "view": {"projection": "pca"},
        }
    ),
}

#: How a spiral trains, whichever way its points were drawn (ours or the Playground's): SGD with
#: momentum 0.9, learning rate 0.01, batches of 50. Only the training: the network stays the
#: user's (a narrow one still fails, the lecture's point). Measured on the 6 × 8 ReLU net, 500
#: points, half for testing, net and data seed s, checking every 100 steps: ≥ 95 % test accuracy
#: on both spirals for seeds 0-4 (at most 3,700 steps) and in 238 of 240 runs for seeds 0-119
#: within 10,000 steps; its neighbours (lr 0.005-0.02, batches 50-100) solve 38-40 of 40 (seeds
#: 0-19). The trainer's default (Adam 0.03, full batch) solves 33 of 40 of our spirals and 25 of
#: 40 of the Playground's (seeds 0-39, 3,000 steps). On the fused path, seeds 0-4: median 0.03-
#: 0.04 s on our spiral and 0.06-0.07 s on the Playground's, against 0.31-0.38 s and 0.46-0.58 s
#: for the Playground's engine at its best (lr 0.03; lr 0.1 solves 4 of 5), 6.7-10.5× faster
#: (python -m bench.playground --solve; tests/server/test_spiral_recipe.py).
SPIRAL_RECIPE: dict[str, dict[str, Any]] = {
    "train": {"optimizer": "momentum", "lr": 0.01, "batch_size": 50}
}

#: What choosing a dataset from the menu also sets: the network where the default one cannot
#: learn it, or how to train it where the default recipe is slow or unreliable.
#: bumps (nine bumps, up and down, on a 3 × 3 lattice): the default 3 × 2 ReLU net stays at the
#: targets' variance (loss 0.21 at step 0, 0.19 from step 300 on, measured); 2 layers of 16 go
#: from 0.41 to 0.009 by step 300 (test loss 0.039) and 0.004 by step 1,000 (Adam 0.03, seed 4).
DATASET_RECIPES: dict[str, dict[str, dict[str, Any]]] = {
    "bumps": {"model": {"width": 16, "depth": 2, "widths": None}},
    "spiral": SPIRAL_RECIPE,
    "playground_spiral": SPIRAL_RECIPE,
}

#: Set the weights by hand until the classes separate: ``goal`` is the training accuracy. Every
#: layer is 2×2, so the inspector's sliders and basis vectors reach every weight; the page's hint
#: (``challenge.<name>.hint`` in frontend/strings/inspector.js) says what each layer must do.
CHALLENGES: dict[str, dict[str, Any]] = {
    # Layer 1 folds the lower-left quarter onto the corner and the other class's two quarters
    # onto the axes; layer 2 squashes the inside of the quarter onto the corner as well; the
    # classifier then finds the other class as the only points off the corner.
    "xor": {
        "goal": 0.95,
        "config": _config(
            {
                "data": {"dataset": "xor", "points": 200, "seed": 1},
                "model": {"width": 2, "depth": 2, "init": "zero"},
            }
        ),
    },
    # The features x1², x2²: one unit adds them into r² and folds away the inside of radius 0.5.
    "circles": {
        "goal": 0.95,
        "config": _config(
            {
                "data": {"dataset": "circles", "points": 200, "seed": 1},
                "model": {"width": 2, "depth": 1, "init": "zero", "features": ["x1^2", "x2^2"]},
            }
        ),
    },
}
