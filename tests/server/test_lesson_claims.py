"""Every lesson caption is a claim about the screen: each is checked here on the lesson played
headless (tests/lessons_run.py: "play" is PLAY_STEPS = 2,000 steps, fixed seeds).

The numbers in the comments were measured by that runner (the lessons' own seeds; on the CPU);
the bounds leave room around them. Lesson 5's story (deeper helps only once the layers are wide)
rests on a search over shapes and data seeds, given in its comment."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest

from engine.lessons import load_lesson
from server.settings import FRONTEND_DIR, LESSONS_DIR
from tests.claims import Claims
from tests.lessons_run import PLAY_STEPS, Reading, play

Claim = Callable[[tuple[Reading, ...]], None]
claim: Claims[tuple[Reading, ...]] = Claims()
CLAIMS = claim.checks


def straight(r: Reading) -> bool:
    """The decision boundary is a straight line: the logit margin is affine over the plane."""
    return r.affine_gap <= 1e-4 * r.margin_span


def losses_fall(r: Reading) -> bool:
    """The training loss is lower at every reading of the chart (a frame's steps apart) than
    at the one before: measured, it never rose once in 400 readings where this is claimed."""
    values = [r.history[0].train_loss, *r.losses]
    return all(b < a for a, b in pairwise(values))


def legend(key: str) -> list[str]:
    """The page's legend entry ``key``, in English then Chinese (frontend/i18n.js)."""
    text = (FRONTEND_DIR / "i18n.js").read_text(encoding="utf-8")
    return re.findall(rf'"legend\.{key}": "([^"]+)"', text)


def quotes(lesson: str, step: int, words: list[str]) -> bool:
    """Step ``step``'s caption names ``words`` (English, Chinese), as the page's legend does."""
    caption = load_lesson(LESSONS_DIR / f"{lesson}.json").steps[step - 1].caption
    return len(words) == 2 and words[0] in caption.en and words[1] in caption.zh


# -- 1 A linear layer moves the whole plane ---------------------------------------------------
@claim("01-linear-layer", 1)
def _(r: tuple[Reading, ...]) -> None:
    s = r[0]
    assert not s.running and s.step == 0
    assert all(stage["width"] == 2 for stage in s.header["stages"])  # every stage a plane
    assert straight(s)  # measured gap 1e-7 of a span of 2.1


@claim("01-linear-layer", 2)
def _(r: tuple[Reading, ...]) -> None:
    """The morph's phases: rotate · (reflect) · scale · rotate give the layer's own matrix."""
    layer = r[1].header["layers"][0]
    d, w = layer["decomposition"], np.asarray(layer["weight"])

    def rotation(a: float) -> np.ndarray:
        return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    flip = np.diag([1.0, -1.0 if d["reflect"] else 1.0])
    rebuilt = rotation(d["angle_out"]) @ np.diag(d["scales"]) @ flip @ rotation(d["angle_in"])
    np.testing.assert_allclose(rebuilt, w, atol=1e-6)  # the frame rounds weights
    assert d["reflect"] == (np.linalg.det(w) < 0)
    assert len(layer["bias"]) == 2  # then shifted by the bias


@claim("01-linear-layer", 3)
def _(r: tuple[Reading, ...]) -> None:
    before, after = r[1], r[2]
    assert after.step == PLAY_STEPS
    assert (after.winners != before.winners).mean() > 0.05  # the map changed (12 % of the plane)
    assert straight(after)  # measured 7e-6 of 131
    assert after.test_acc >= 0.98  # measured 0.993: "99 %"


# -- 2 The fold -------------------------------------------------------------------------------
@claim("02-the-fold", 1)
def _(r: tuple[Reading, ...]) -> None:
    """Each fold is max(affine, 0); the first two flatten a good part of the points."""
    s = r[0]
    assert s.header["activation"] == "relu"
    assert all(f.low == 0.0 for f in s.folds[:2])
    assert all(f.zero_share > 0.3 for f in s.folds[:2])  # measured 0.48, 0.45


@claim("02-the-fold", 2)
def _(r: tuple[Reading, ...]) -> None:
    s = r[1]
    last_fold = s.header["stages"][-2]
    assert last_fold["kind"] == "fold" and "boundary" in last_fold  # the dashed line
    assert s.test_acc == 1.0 and s.train_acc == 1.0  # measured 1.0 both


# -- 3 Without folds, no curve ----------------------------------------------------------------
@claim("03-linear-cannot", 1)
def _(r: tuple[Reading, ...]) -> None:
    s = r[0]
    assert straight(s)  # measured 5e-8 of 0.26
    assert 0.55 <= s.test_acc <= 0.70  # measured 0.640 ("near 60 %"), train 0.620
    trained = [m.test_acc for m in s.history[1:]]
    assert max(trained) - min(trained) <= 0.01  # stops there: 0.64 at every reading


@claim("03-linear-cannot", 2)
def _(r: tuple[Reading, ...]) -> None:
    s = r[1]
    assert s.config.data.dataset == "xor" and straight(s)
    assert 0.52 <= s.test_acc <= 0.62 and 0.52 <= s.train_acc <= 0.64  # measured 0.560, 0.605


@claim("03-linear-cannot", 3)
def _(r: tuple[Reading, ...]) -> None:
    s = r[2]
    assert s.affine_gap > 0.1 * s.margin_span  # it bends: measured 90 of 176
    assert s.test_acc == 1.0  # "every test point": measured 1.0 (test loss 0.001)


# -- 4 Why width 2 is hard --------------------------------------------------------------------
# The lecture's net (4 × 2, ReLU, spiral of 1.75 turns), seed 0, measured at 2,000 / 4,000 /
# 6,000 steps: test 0.608 / 0.612 / 0.632; after fold 2: dead 0.148 / 0.152 / 0.134, all of
# class 1 and all classified right, merged 0.328 / 0.326 / 0.298, flatness 0.0024 / 0.0018 /
# 0.0017; after fold 4: dead 0.154 / 0.164 / 0.134, class 1, all right.
@claim("04-width-two", 1)
def _(r: tuple[Reading, ...]) -> None:
    assert r[0].header["stages"][1]["width"] == 2 and len(r[0].folds) == 4
    assert 0.50 <= r[0].test_acc <= 0.70


@claim("04-width-two", 2)
def _(r: tuple[Reading, ...]) -> None:
    assert quotes("04-width-two", 2, legend("dead"))  # the marks it points at
    for fold in (r[1].folds[1], r[1].folds[3]):  # folds 2 and 4
        assert 0.08 <= fold.dead_share <= 0.25  # "about one point in seven"
        assert len(fold.dead_classes) == 1 and fold.dead_right == 1.0


@claim("04-width-two", 3)
def _(r: tuple[Reading, ...]) -> None:
    s, fold = r[2], r[2].folds[1]
    assert quotes("04-width-two", 3, legend("merged"))
    assert fold.flatness < 0.01  # on a line
    assert fold.runs >= 50  # the classes take turns along it: measured 154 runs of 500 points
    assert 0.22 <= fold.merged_share <= 0.45  # "a third"
    assert s.step == 3 * PLAY_STEPS
    assert max(m.test_acc for m in s.history) <= 0.70  # however long: measured at most 0.636


@claim("04-width-two", 4)
def _(r: tuple[Reading, ...]) -> None:
    s = r[3]
    assert s.config.data.turns == 1.0
    assert s.test_acc >= 0.95  # measured 0.984: "98 %"
    assert 0.30 <= max(f.dead_share for f in s.folds) <= 0.50  # "up to 40 %": measured 0.42
    assert max(f.merged_share for f in s.folds) <= 0.03  # "almost none": measured 0.010


# -- 5 Widen it, deepen it --------------------------------------------------------------------
# Spiral of 1.75 turns, Adam 0.01, 2,000 steps, test accuracy on data seeds 0 / 1 / 2 (a search
# of 10 shapes): depth 1 × width 8: 0.88 / 0.79 / 0.85; 2 × 8: 0.94 / 1.00 / 1.00;
# 3 × 8: 1.00 / 0.90 / 1.00; 2 × 4: 0.92 / 0.96 / 0.83; 4 × 4: 0.95 / 0.99 / 0.81;
# 6 × 4: 0.80 / 1.00 / 0.95; 4 × 3: 0.56 / 0.84 / 0.86; 8 × 3: 0.65 / 0.68 / 0.64;
# 1 × 16: 0.96 / 1.00 / 0.99. At width 2 and 3 depth does not help; from width 8 it does.
@claim("05-widen-deepen", 1)
def _(r: tuple[Reading, ...]) -> None:
    assert r[0].config.model.hidden == [2] * 4
    assert r[0].test_acc <= 0.70  # measured 0.608


@claim("05-widen-deepen", 2)
def _(r: tuple[Reading, ...]) -> None:
    s = r[1]
    assert s.config.model.hidden == [2] * 8
    assert s.test_acc <= min(0.70, r[0].test_acc + 0.02)  # "no better": 0.540 after 0.608
    merged = [f.merged_share for f in s.folds]  # 0.12 0.26 0.26 0.31 1.0 1.0 1.0 1.0
    # "More and more": a fold may lose a point or two of the merged (within the tolerance of
    # one stage, apart in the next), never more.
    assert all(b >= a - 0.01 for a, b in pairwise(merged))
    assert merged[-1] > max(0.5, merged[0] + 0.2)


@claim("05-widen-deepen", 3)
def _(r: tuple[Reading, ...]) -> None:
    s = r[2]
    assert s.config.model.hidden == [8]
    assert 0.83 <= s.test_acc <= 0.93  # measured 0.880: "about 88 %"
    assert s.train_acc <= s.test_acc + 0.06  # "not much more": measured 0.908


@claim("05-widen-deepen", 4)
def _(r: tuple[Reading, ...]) -> None:
    s = r[3]
    assert s.config.model.hidden == [8, 8] and s.history[0].step == 0  # fresh weights
    assert 0.91 <= s.test_acc <= 0.97  # measured 0.944: "about 94 %"
    assert s.test_acc >= r[2].test_acc + 0.03  # deeper helps, now


@claim("05-widen-deepen", 5)
def _(r: tuple[Reading, ...]) -> None:
    s = r[4]
    assert s.config.model.hidden == [8] * 4
    assert s.test_acc >= 0.97  # measured 0.992: "99 %"
    assert s.test_acc > r[3].test_acc
    assert all(f.dead_share == 0 and f.merged_share == 0 for f in s.folds)


@claim("05-widen-deepen", 6)
def _(r: tuple[Reading, ...]) -> None:
    pair, pca = r[4], r[5]
    assert all(f.projection == "pair" for f in pair.folds)
    assert all(f.projection == "pca" for f in pca.folds)
    # the unit pair: 0.21, 0.42, 0.25, 0.06 of each fold's spread; PCA: 0.88, 0.79, 0.89, 0.89
    assert max(f.shown for f in pair.folds) <= 0.5
    assert min(f.shown for f in pca.folds) >= 0.7


# -- 6 tanh against ReLU ----------------------------------------------------------------------
@claim("06-tanh-relu", 1)
def _(r: tuple[Reading, ...]) -> None:
    s = r[0]
    assert s.straight_share >= 0.6  # straight pieces: measured 0.80 of the samples
    assert s.straight_share < 1.0  # and creases
    assert min(f.zero_share for f in s.folds) > 0.2  # pressed flat: measured 0.31 to 0.54
    assert s.test_acc >= 0.97  # measured 0.992


@claim("06-tanh-relu", 2)
def _(r: tuple[Reading, ...]) -> None:
    s = r[1]
    assert s.header["activation"] == "tanh"
    assert s.straight_share <= 0.05  # bends everywhere: measured 0.0
    assert all(f.low >= -1.0 and f.high <= 1.0 for f in s.folds)  # in a square
    assert all(f.zero_share == 0.0 for f in s.folds)
    assert s.test_acc >= 0.97  # measured 1.0


# -- 7 A learning rate too high ---------------------------------------------------------------
@claim("07-learning-rate", 1)
def _(r: tuple[Reading, ...]) -> None:
    assert losses_fall(r[0]) and r[0].history[-1].train_loss < 0.01  # 0.686 to 0.001


@claim("07-learning-rate", 2)
def _(r: tuple[Reading, ...]) -> None:
    s = r[1]
    assert s.config.train.lr == 10.0 and s.history[0].step == 0  # fresh weights
    last = np.asarray(s.losses[-20:])  # the last 100 steps
    assert last.min() >= 1.0  # high: measured 1.31, where 0.1 reached 0.001
    assert last.max() >= 1.5 * last.min()  # jumping: measured up to 3.06
    assert s.folds[-1].dead_share == 1.0  # every point killed
    assert 0.4 <= s.test_acc <= 0.6  # one class everywhere: measured 0.485
    assert len(np.unique(s.winners)) == 1


@claim("07-learning-rate", 3)
def _(r: tuple[Reading, ...]) -> None:
    s = r[2]
    assert s.config.train.lr == 0.1 and s.history[0].step == 0
    assert losses_fall(s) and s.history[-1].train_loss < 0.01


# -- 8 Optimizers compared --------------------------------------------------------------------
# Train loss every 250 steps: SGD 0.603 … 0.263; momentum 0.106 0.042 0.013 …;
# Adam 0.006 0.001 0.000 …
@claim("08-optimizers", 1)
def _(r: tuple[Reading, ...]) -> None:
    s = r[0]
    assert s.config.train.optimizer == "sgd" and s.step == PLAY_STEPS
    assert losses_fall(s)
    assert s.history[-1].train_loss > 0.15  # slow: measured 0.263 after 2,000 steps


@claim("08-optimizers", 2)
def _(r: tuple[Reading, ...]) -> None:
    sgd, momentum = r[0], r[1]
    assert momentum.config.train.optimizer == "momentum"
    assert momentum.history[0].train_loss == sgd.history[0].train_loss  # the same start
    assert momentum.history[1].step == 250
    assert momentum.history[1].train_loss < sgd.history[-1].train_loss


@claim("08-optimizers", 3)
def _(r: tuple[Reading, ...]) -> None:
    sgd, momentum, adam = r
    assert adam.config.train.optimizer == "adam"
    assert adam.history[0].train_loss == sgd.history[0].train_loss
    for a, m, s in zip(adam.history[1:], momentum.history[1:], sgd.history[1:], strict=True):
        assert a.train_loss <= m.train_loss < s.train_loss


# -- 9 Overfitting and regularisation ---------------------------------------------------------
@claim("09-overfitting", 1)
def _(r: tuple[Reading, ...]) -> None:
    s = r[0]
    assert s.header["n_train"] == 30 and s.config.model.hidden == [16] * 3
    assert s.train_acc == 1.0 and s.metrics["train_loss"] < 0.01
    assert 0.82 <= s.test_acc <= 0.90  # measured 0.857 at every reading after 500 steps
    climb = [m.test_loss for m in s.history[1:]]  # 1.31 1.43 1.50 … 1.69
    assert all(b > a for a, b in pairwise(climb))


@claim("09-overfitting", 2)
def _(r: tuple[Reading, ...]) -> None:
    plain, l2 = r
    assert l2.config.train.penalty == "l2"
    assert 1.4 <= plain.metrics["test_loss"] <= 2.0 and l2.metrics["test_loss"] <= 0.4  # 1.69, 0.31
    assert l2.confidence < plain.confidence  # paler regions: measured 0.956 against 0.993
    assert (l2.winners != plain.winners).mean() <= 0.08  # barely moves: measured 0.045
    assert abs(l2.test_acc - plain.test_acc) <= 0.02  # both 0.857


# -- every step has its claim ------------------------------------------------------------------
def every_step() -> list[tuple[str, int]]:
    return [
        (path.stem, k + 1)
        for path in sorted(LESSONS_DIR.glob("*.json"))
        for k in range(len(load_lesson(path).steps))
    ]


def test_every_lesson_step_has_a_claim_checked() -> None:
    assert sorted(CLAIMS) == every_step()


@pytest.mark.parametrize(("lesson", "step"), every_step(), ids=lambda v: str(v))
def test_the_caption_holds(lesson: str, step: int) -> None:
    CLAIMS[(lesson, step)](play(lesson))
