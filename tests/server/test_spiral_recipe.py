"""One recipe trains a spiral however its points were drawn (engine/presets.py DATASET_RECIPES):
the 6 × 8 ReLU net reaches 95 % test accuracy on our spiral and on TensorFlow Playground's,
seeds 0-4, also when the Playground's points come in as a CSV file through the HTTP API; and
the recipe does not rescue a narrow net (the lecture's point stands)."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from engine.presets import DATASET_RECIPES
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from nets.datasets import Dataset, make_dataset
from tests.server.wsutil import next_event, next_frame, send

SPIRALS = ("spiral", "playground_spiral")
SEEDS = range(5)
NET = {"widths": [8] * 6, "activation": "relu"}
GOAL = 0.95
#: Steps between two looks at the test accuracy, and the most steps a run may take. Measured
#: (steps to the goal, seeds 0-4): our spiral 600-1,800, the Playground's 1,000-3,700 (seed 0);
#: seeds 0-19 all within 4,100.
CHECK = 100
BUDGET = 6000


def spiral_config(name: str, seed: int, model: dict[str, Any]) -> ExperimentConfig:
    """500 points of spiral ``name``, half for testing, net and data seed ``seed``, trained as
    choosing the spiral from the menu sets (its recipe)."""
    data = {"dataset": name, "points": 500, "noise": 0.0, "test_ratio": 0.5, "seed": seed}
    return merge_config(ExperimentConfig(), {"data": data, "model": model, **DATASET_RECIPES[name]})


def steps_to_goal(session: Session) -> int | None:
    """Steps until the test accuracy, looked at every CHECK steps, reaches GOAL (None: not
    within BUDGET)."""
    while session.step < BUDGET:
        session.train(CHECK)
        if session.metrics().test_acc >= GOAL:
            return session.step
    return None


def test_both_spirals_share_one_recipe_that_sets_only_the_training() -> None:
    assert DATASET_RECIPES["spiral"] == DATASET_RECIPES["playground_spiral"]
    assert set(DATASET_RECIPES["spiral"]) == {"train"}  # the network stays the user's


@pytest.mark.parametrize("name", SPIRALS)
def test_the_spiral_recipe_trains_the_6x8_net_to_95_percent_on_every_seed(name: str) -> None:
    solved = {}
    for seed in SEEDS:
        session = Session(spiral_config(name, seed, NET), torch.device("cpu"))
        assert session.trainer.path is None  # the fused path, as the server trains it
        solved[seed] = steps_to_goal(session)
    assert None not in solved.values(), solved


@pytest.mark.parametrize("name", SPIRALS)
def test_the_recipe_does_not_make_the_default_narrow_net_learn_a_spiral(name: str) -> None:
    """The default net (3 layers of 2) with the spiral's recipe stays far from the goal
    (measured: at best 0.60-0.68 over 2,000 steps, seeds 0-2)."""
    for seed in range(3):
        session = Session(spiral_config(name, seed, {}), torch.device("cpu"))
        assert session.net.widths == (2, 2, 2)
        best = 0.0
        for _ in range(20):
            session.train(CHECK)
            best = max(best, session.metrics().test_acc)
        assert best < 0.8


def as_csv(data: Dataset) -> bytes:
    """The points as the upload takes them: x, y, label, split; every coordinate written in
    full, so the file holds exactly the generated points."""
    lines = ["x,y,label,split"]
    splits = (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test))
    for split, xs, ys in splits:
        for (x, y), label in zip(xs.tolist(), ys.tolist(), strict=True):
            lines.append(f"{x!r},{y!r},{label},{split}")
    return ("\n".join(lines) + "\n").encode()


def test_as_csv_writes_every_point_in_its_split() -> None:
    data = make_dataset("playground_spiral", 10, 0.0, seed=1, test_ratio=0.5)
    rows = as_csv(data).decode().splitlines()
    assert rows[0] == "x,y,label,split" and len(rows) == 11
    assert [r.split(",")[3] for r in rows[1:]] == ["train"] * 5 + ["test"] * 5
    x, y, label, _ = rows[6].split(",")
    assert (float(x), float(y), int(label)) == (*data.x_test[0].tolist(), int(data.y_test[0]))


def shown_accuracy(ws: WebSocketTestSession, step: int) -> float:
    """The test accuracy that the session's frames show at ``step`` (the frames of earlier
    steps, and the events, are skipped)."""
    header, _ = next_frame(ws)
    while header["step"] != step:
        header, _ = next_frame(ws)
    accuracy: float = header["metrics"]["test_acc"]
    return accuracy


@pytest.mark.parametrize("seed", SEEDS)
def test_the_playgrounds_spiral_uploaded_as_csv_trains_to_95_percent(
    client: TestClient, seed: int
) -> None:
    """The Playground's spiral, written out as a CSV file and uploaded into a session set up
    as choosing a spiral sets it up (the recipe) with the 6 × 8 ReLU net, trained over the
    socket: the frames show 95 % test accuracy within the step budget."""
    data = make_dataset("playground_spiral", 500, 0.0, seed=seed, test_ratio=0.5)
    with client.websocket_connect("/ws") as ws:
        session = next_event(ws, "hello")["session"]
        recipe = DATASET_RECIPES["playground_spiral"]
        changes = {"data": {"dataset": "playground_spiral", "seed": seed}, "model": NET}
        send(ws, type="configure", changes={**changes, **recipe})  # as the page sends it
        assert next_event(ws, "state")["config"]["train"].items() >= recipe["train"].items()
        reply = client.post(f"/api/sessions/{session}/data.csv", content=as_csv(data))
        assert reply.json() == {"points": 500, "train": 250, "test": 250}
        state = next_event(ws, "state")
        assert state["config"]["data"]["dataset"] == "custom" and state["step"] == 0
        step, accuracy = 0, 0.0
        while accuracy < GOAL and step < BUDGET:
            send(ws, type="step", count=CHECK)
            step += CHECK
            accuracy = shown_accuracy(ws, step)
        assert accuracy >= GOAL, f"{accuracy:.3f} at step {step}"
