"""A lesson played headless, as the page plays it, and what each step leaves on the screen.

The page (``frontend/classroom/lessons.js``) applies a step's config changes, then its action:
``play`` and ``pause`` start and stop the session's training, ``reset`` gives fresh weights
(training goes on if it was on), ``step`` pauses and takes that many steps. A playing session
trains 30 × ``view.speed`` steps a second; here a step that leaves the session playing trains
:data:`PLAY_STEPS` steps, what a class sees after about 13 s at the default speed of 5. A lesson
starts paused: every claim must come from the lesson's own actions.

Each step's :class:`Reading` holds the numbers a caption can be checked against: accuracy and
loss (from the frame the page draws), their history while it trained, per hidden layer its dead
and merged points and how flat its fold left the cloud, and the decision boundary on the input
plane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.encoding import decode_frame
from engine.lessons import Lesson, load_lesson
from engine.schemas import ExperimentConfig, ViewConfig, merge_config
from engine.session import Session
from nets.train import Diverged, Metrics
from server.settings import LESSONS_DIR

#: Steps trained by a lesson step that leaves the session playing.
PLAY_STEPS = 2000
#: Steps between two frames at the default speed: the loss chart gets one point a frame.
FRAME_STEPS = ViewConfig().speed
#: Metrics are read every this many steps while it trains.
CHUNK = 250
#: Cells a side of the grid the boundary is read on.
BOUNDARY_CELLS = 64


@dataclass(frozen=True)
class Fold:
    """One hidden layer after its fold, over every data point: the frame's ``folds`` entry and
    per-point masks, and what the page draws of it."""

    layer: int  # 1-based
    dead_share: float  # zero in every unit (0 for folds that never zero)
    dead_classes: frozenset[int]  # the classes of the dead points
    dead_right: float  # share of the dead points classified correctly (1 when none is dead)
    merged_share: float  # at the place of a point of another class (nets.merging)
    flatness: float  # σ₂/σ₁ of the centred cloud: 0 is a line
    zero_share: float  # coordinates set exactly to zero
    low: float  # the smallest coordinate of the stage
    high: float  # the largest
    shown: float  # share of the cloud's variance the panel's two drawn directions hold
    projection: str  # how the panel draws it: plane, pair, pca or 3d
    runs: int  # runs of one class along the cloud's widest direction (many: interleaved)


@dataclass(frozen=True)
class Reading:
    """What one lesson step leaves on the screen."""

    index: int  # 0-based step of the lesson
    config: ExperimentConfig
    running: bool
    step: int  # optimizer steps taken by the network shown
    metrics: dict[str, float]  # the frame's train/test accuracy and loss (NaN: diverged)
    history: list[Metrics]  # at the start of the step and every CHUNK steps it trained
    losses: list[float]  # the training loss every FRAME_STEPS steps (the loss chart)
    diverged: bool
    header: dict[str, Any]  # the frame's header, as the page receives it
    folds: list[Fold]
    winners: np.ndarray  # (BOUNDARY_CELLS, BOUNDARY_CELLS) class of each input-plane cell
    confidence: float  # the winning class's mean probability over those cells
    boundary_share: float  # input-plane cells with a neighbour of another class
    affine_gap: float  # how far the logit margin is from an affine map (0: a straight line)
    margin_span: float  # the logit margin's range over the grid (what affine_gap is against)
    straight_share: float  # samples of the input's grid lines drawn straight in the last fold

    @property
    def test_acc(self) -> float:
        return self.metrics["test_acc"]

    @property
    def train_acc(self) -> float:
        return self.metrics["train_acc"]


@dataclass
class Player:
    """A lesson being played: one Session, and whether it trains."""

    lesson: Lesson
    session: Session = field(init=False)
    running: bool = False

    def __post_init__(self) -> None:
        torch.set_num_threads(1)  # as sessions train on the server
        torch.manual_seed(0)
        start = merge_config(ExperimentConfig(), self.lesson.start)
        self.session = Session(start, torch.device("cpu"))

    def play_step(self, index: int) -> Reading:
        step, session = self.lesson.steps[index], self.session
        session.configure(merge_config(session.config, step.changes))
        if step.action in ("play", "pause"):
            self.running = step.action == "play"
        elif step.action == "reset":
            session.reset()
        elif step.action == "step":
            self.running = False
            session.train(step.steps)
        history, losses = [session.metrics()], []
        diverged = False
        trained = 0
        while self.running and trained < PLAY_STEPS:
            try:  # as the gym trains it: a frame's steps at a time, the loss of each kept
                losses.append(session.trainer.step(FRAME_STEPS))
            except Diverged:
                self.running, diverged = False, True  # the page pauses and says so
            session.trained()
            trained += FRAME_STEPS
            if trained % CHUNK == 0 or diverged:
                history.append(session.metrics())
        header, arrays = decode_frame(session.frame())
        metrics = {
            key: math.nan if value is None else float(value)
            for key, value in header["metrics"].items()
        }
        gap, span = affine_gap(session)
        winners, confidence = plane_classes(session)
        return Reading(
            index=index,
            config=session.config,
            running=self.running,
            step=session.step,
            metrics=metrics,
            history=history,
            losses=losses,
            diverged=diverged,
            header=header,
            folds=folds(session, header, arrays),
            winners=winners,
            confidence=confidence,
            boundary_share=boundary_share(winners),
            affine_gap=gap,
            margin_span=span,
            straight_share=straight_share(session),
        )


def lesson_path(name: str) -> Path:
    return LESSONS_DIR / f"{name}.json"


@cache
def play(name: str) -> tuple[Reading, ...]:
    """Play lesson ``name`` (its file name without .json) from its start through every step."""
    player = Player(load_lesson(lesson_path(name)))
    return tuple(player.play_step(k) for k in range(len(player.lesson.steps)))


# -- what is read off a session ---------------------------------------------------------------
def _stages(session: Session, x: np.ndarray) -> list[np.ndarray]:
    net = session.net
    net.eval()
    with torch.no_grad():
        outs = net.stages(torch.as_tensor(x, dtype=torch.float32))
    return [out.numpy().astype(np.float64) for out in outs]


def shown_share(points: np.ndarray, stage: dict[str, Any]) -> float:
    """The share of the variance of ``points`` (N, width) along the directions the frame's
    ``stage`` entry draws: its PCA basis, or its units."""
    centred = points - points.mean(axis=0)
    total = float((centred**2).sum())
    if total == 0:
        return 1.0
    if stage["projection"] == "pca":
        drawn = centred @ np.asarray(stage["basis"], dtype=np.float64).T
    else:
        drawn = centred[:, [u for u in stage["units"] if u is not None]]
    return float((drawn**2).sum()) / total


def class_runs(points: np.ndarray, labels: np.ndarray) -> int:
    """Sorted along the widest direction of the cloud, how many runs of one class the points
    make: 2 when the classes lie apart along it, many when they take turns."""
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    order = np.argsort(centred @ vt[0], kind="stable")
    ordered = labels[order]
    return int((ordered[1:] != ordered[:-1]).sum()) + 1


def folds(session: Session, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> list[Fold]:
    """Every hidden layer after its fold, from the frame (``header["folds"]``, the per-point
    masks) and from the network's own numbers for that stage."""
    labels = arrays["labels"].astype(np.int64)
    right = arrays["pred"].astype(np.int64) == labels
    stages = _stages(session, session.x_all)
    out = []
    for entry in header["folds"]:
        k = entry["stage"]
        points = stages[k]
        dead = (
            arrays[f"stage{k}/dead"].astype(bool)
            if f"stage{k}/dead" in arrays
            else np.zeros(len(labels), bool)
        )
        out.append(
            Fold(
                layer=entry["layer"],
                dead_share=entry["dead_share"] or 0.0,
                dead_classes=frozenset(int(c) for c in np.unique(labels[dead])),
                dead_right=float(right[dead].mean()) if dead.any() else 1.0,
                merged_share=entry["merged_share"],
                flatness=entry["flatness"] or 0.0,
                zero_share=float((points == 0).mean()),
                low=float(points.min()),
                high=float(points.max()),
                shown=shown_share(points, header["stages"][k]),
                projection=header["stages"][k]["projection"],
                runs=class_runs(points, labels),
            )
        )
    return out


def _grid(session: Session) -> np.ndarray:
    x_low, x_high, y_low, y_high = session.extent
    xs, ys = np.meshgrid(
        np.linspace(x_low, x_high, BOUNDARY_CELLS), np.linspace(y_low, y_high, BOUNDARY_CELLS)
    )
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def _margin(session: Session, grid: np.ndarray) -> np.ndarray:
    """Logit of class 1 minus class 0 over ``grid`` (two-class lessons)."""
    logits = _stages(session, grid)[-1]
    return np.asarray(logits[:, 1] - logits[:, 0])


def plane_classes(session: Session) -> tuple[np.ndarray, float]:
    """The winning class of every cell of the input plane's grid, and the winner's mean
    probability (how strongly the regions are coloured)."""
    logits = _stages(session, _grid(session))[-1]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    winners = logits.argmax(axis=1).reshape(BOUNDARY_CELLS, BOUNDARY_CELLS)
    return winners, float(probs.max(axis=1).mean())


def boundary_share(winners: np.ndarray) -> float:
    """Share of the grid's cells whose right or lower neighbour is classed otherwise: the
    length of the decision boundary, in cells (a straight line across is 1 to 2 cells in
    BOUNDARY_CELLS)."""
    edge = np.zeros_like(winners, dtype=bool)
    edge[:, :-1] |= winners[:, :-1] != winners[:, 1:]
    edge[:-1, :] |= winners[:-1, :] != winners[1:, :]
    return float(edge.mean())


def affine_gap(session: Session) -> tuple[float, float]:
    """The largest distance of the logit margin over the grid from its best affine fit, and
    the margin's range: a gap near 0 against the range means the boundary is a straight
    line."""
    grid = _grid(session)
    margin = _margin(session, grid)
    design = np.column_stack([grid, np.ones(len(grid))])
    fit, *_ = np.linalg.lstsq(design, margin, rcond=None)
    return float(np.abs(design @ fit - margin).max()), float(np.ptp(margin))


def straight_share(session: Session, samples: int = 257) -> float:
    """Along the input plane's middle horizontal and vertical lines, finely sampled: the share
    of sample points where the last fold's image of the line runs straight on (no bend), as
    its drawn grid line would. ReLU bends only at creases; a smooth fold bends everywhere."""
    x_low, x_high, y_low, y_high = session.extent
    t = np.linspace(0.0, 1.0, samples)
    lines = [
        np.column_stack([x_low + t * (x_high - x_low), np.zeros(samples)]),
        np.column_stack([np.zeros(samples), y_low + t * (y_high - y_low)]),
    ]
    last_fold = max(i.index for i in session.net.stage_info() if i.kind == "fold")
    straight = []
    for line in lines:
        z = _stages(session, line)[last_fold]
        step = np.diff(z, axis=0)
        bend = np.abs(np.diff(step, axis=0)).max(axis=1)
        scale = np.abs(step).max() or 1.0
        straight.append(bend <= 1e-4 * scale)
    return float(np.concatenate(straight).mean())
