"""Trainer: optimizers, losses, penalties, mini-batches, metrics and divergence detection."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nets import fused
from nets.datasets import Dataset
from nets.model import FoldNet
from nets.optim import (
    Decay,
    Loss,
    Optimizer,
    Penalty,
    data_loss,
    decayed_lr,
    make_optimizer,
    penalty,
)
from nets.scores_kernel import cross_entropy_scores


class Diverged(RuntimeError):
    """The loss or a weight became NaN or infinite."""


#: The most steps a trainer counts: past 2**53 a float64 (a JavaScript number) skips steps.
MAX_STEP = 2**53


class StepLimit(RuntimeError):
    """Training would count past :data:`MAX_STEP` steps; nothing was trained."""


def past_limit(step_count: int, count: int) -> StepLimit | None:
    """What ``count`` more steps after ``step_count`` would hit, or None if they stay in bound."""
    if count <= MAX_STEP - step_count:
        return None
    return StepLimit(
        f"{count} more steps after step {step_count} would count past 2**53 steps;"
        " reset to train again"
    )


def check_room(step_count: int, count: int) -> None:
    """Raise :class:`StepLimit` unless ``count`` more steps after ``step_count`` stay in bound."""
    if (limit := past_limit(step_count, count)) is not None:
        raise limit


@dataclass(frozen=True)
class Recipe:
    """How to train: every knob that can change without touching the weights."""

    optimizer: Optimizer = "adam"
    lr: float = 0.03
    batch_size: int | None = None  # None: the whole training set
    loss: Loss = "cross_entropy"
    penalty: Penalty = "none"
    rate: float = 0.0
    decay: Decay = "none"
    decay_every: int = 1000


#: The widest layer a single trainer still runs with points as columns (wider ones go by rows).
NARROW = 8


@dataclass(frozen=True)
class Metrics:
    step: int
    train_loss: float
    train_acc: float  # NaN for regression
    test_loss: float
    test_acc: float
    epoch: float = 0.0


@dataclass(frozen=True)
class LayerStats:
    """After the last step: per Linear layer, the gradient norm and |update| / |weight|."""

    grad_norm: list[float]
    update_ratio: list[float]


class Trainer:
    """Trains a FoldNet on a Dataset."""

    def __init__(
        self,
        net: FoldNet,
        data: Dataset,
        recipe: Recipe | None = None,
        seed: int = 0,
        device: torch.device | str = "cpu",
        fused: bool = True,
    ) -> None:
        self.fused = fused  # take nets.fused's compiled path where it can
        self.device = torch.device(device)
        self.net = net.to(self.device)
        self.set_data(data)
        self.recipe = recipe or Recipe()
        self.step_count = 0
        self.examples_seen = 0
        self._gen = torch.Generator().manual_seed(seed)
        self.opt = make_optimizer(
            self.recipe.optimizer, list(self.net.parameters()), self.recipe.lr
        )
        self.stats: LayerStats | None = None

    def set_data(self, data: Dataset) -> None:
        """Train on ``data`` from now on, keeping the weights, optimizer and step count."""
        self.data = data
        target_dtype = torch.float32 if self.net.classes == 1 else torch.int64
        self.x_train = torch.as_tensor(data.x_train, device=self.device)
        self.y_train = torch.as_tensor(data.y_train, device=self.device).to(target_dtype)
        self.x_test = torch.as_tensor(data.x_test, device=self.device)
        self.y_test = torch.as_tensor(data.y_test, device=self.device).to(target_dtype)

    @property
    def lr(self) -> float:
        return self.lr_at(self.step_count)

    def lr_at(self, step: int) -> float:
        """The learning rate the recipe gives at ``step``."""
        r = self.recipe
        return decayed_lr(r.lr, r.decay, r.decay_every, step)

    def set_recipe(self, recipe: Recipe) -> None:
        """Change how training goes on, keeping the weights (and the optimizer's state, unless
        the optimizer itself changes)."""
        if recipe.optimizer != self.recipe.optimizer:
            self.opt = make_optimizer(recipe.optimizer, list(self.net.parameters()), recipe.lr)
        self.recipe = recipe

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next mini-batch (the whole training set without a batch size)."""
        n = len(self.y_train)
        size = self.recipe.batch_size
        if size is None or size >= n:
            return self.x_train, self.y_train
        idx = torch.randint(0, n, (size,), generator=self._gen).to(self.device)
        return self.x_train[idx], self.y_train[idx]

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The data loss, and the loss plus the weight penalty (what is minimised)."""
        if self.net.dropout > 0 or max(self.net.widths, default=0) > NARROW:
            out = self.net(x)  # dropout draws its masks on rows; wide layers run as fast so
        else:  # the same numbers as net(x), with points as columns: faster for narrow layers
            out = self.net.columnwise(x)
        loss = data_loss(self.recipe.loss, out, y)
        extra = penalty(self.recipe.penalty, self.recipe.rate, self.net)
        return loss, loss if extra is None else loss + extra

    def step(self, count: int = 1) -> float:
        """Take ``count`` optimizer steps; return the last batch loss. Raises Diverged, or
        StepLimit (before any step) when the count would pass :data:`MAX_STEP`."""
        check_room(self.step_count, count)
        loss_value = math.nan
        if len(self.y_train) == 0:
            return loss_value  # nothing to learn from (all points were removed)
        if not self.net.training:
            self.net.train()
        ran = fused.run(self, count) if self.fused else None
        if ran is not None:
            loss_value, finite, stats = ran
            if not math.isfinite(loss_value):
                raise Diverged(f"loss became {loss_value} at step {self.step_count}")
            if stats is not None:
                self.stats = LayerStats(*stats)
        else:
            loss_value = self._torch_steps(count)
            finite = all(bool(torch.isfinite(p).all()) for p in self.net.parameters())
        if not finite:
            raise Diverged(f"a weight became NaN or infinite at step {self.step_count}")
        return loss_value

    @property
    def path(self) -> str | None:
        """None when steps take the fused path (nets.fused); else why they go through torch."""
        return fused.reason(self) if self.fused else "the fused path is turned off"

    def _torch_steps(self, count: int) -> float:
        loss_value = math.nan
        for i in range(count):
            x, y = self.next_batch()
            for group in self.opt.param_groups:
                group["lr"] = self.lr
            self.opt.zero_grad(set_to_none=True)
            _, total = self.objective(x, y)
            torch.autograd.backward(total)
            last = i == count - 1
            before = [p.detach().clone() for p in self.weights()] if last else []
            self.opt.step()
            self.step_count += 1
            self.examples_seen += len(y)
            loss_value = float(total.detach())
            if not math.isfinite(loss_value):
                raise Diverged(f"loss became {loss_value} at step {self.step_count}")
            if last:
                self._record_stats(before)
        return loss_value

    def weights(self) -> list[torch.Tensor]:
        """Every Linear layer's weight matrix, in order (no biases)."""
        return [m.weight for m in self.net.body if isinstance(m, nn.Linear)]

    def _record_stats(self, before: list[torch.Tensor]) -> None:
        grads, ratios = [], []
        for w, w0 in zip(self.weights(), before, strict=True):
            grads.append(float(w.grad.norm()) if w.grad is not None else 0.0)
            norm = float(w0.norm())
            ratios.append(float((w.detach() - w0).norm()) / norm if norm > 0 else 0.0)
        self.stats = LayerStats(grads, ratios)

    @property
    def epoch(self) -> float:
        return self.examples_seen / max(1, len(self.y_train))

    def metrics(self) -> Metrics:
        """Loss and accuracy on the training and the test points, without dropout."""
        x = torch.cat([self.x_train, self.x_test])
        y = torch.cat([self.y_train, self.y_test])
        scores = evaluate(self.net, x, y, len(self.y_train), self.recipe.loss)
        return Metrics(self.step_count, *scores, self.epoch)

    def __repr__(self) -> str:
        return f"Trainer({self.net!r}, {self.data!r}, {self.recipe!r}, step={self.step_count})"


@torch.no_grad()
def evaluate(
    net: FoldNet, x: torch.Tensor, y: torch.Tensor, n_train: int, loss: Loss
) -> tuple[float, float, float, float]:
    """Train loss, train accuracy, test loss and test accuracy of ``net`` (without dropout) on
    points ``x`` whose first ``n_train`` are the training set: one pass of all of them. NaN
    where a set is empty, and for the accuracy of a regression net."""
    logits = net.columnwise(x)
    return scores(logits, y, n_train, loss)


def scores(
    logits: torch.Tensor, y: torch.Tensor, n_train: int, loss: Loss
) -> tuple[float, float, float, float]:
    """:func:`evaluate` from the network's outputs ``logits`` (N, classes). The cross-entropy
    of outputs on the CPU goes the compiled way (:mod:`nets.scores_kernel`): the same numbers,
    without a torch call per set and number."""
    if loss == "cross_entropy" and logits.device.type == "cpu":
        found = cross_entropy_scores(logits, y.numpy(force=True), n_train)
        if found is not None:
            return found
    return scores_by_torch(logits, y, n_train, loss)


def scores_by_torch(
    logits: torch.Tensor, y: torch.Tensor, n_train: int, loss: Loss
) -> tuple[float, float, float, float]:
    """:func:`scores` through torch, a call per set and number (any loss, any device)."""
    out: list[float] = []
    for part, target in ((logits[:n_train], y[:n_train]), (logits[n_train:], y[n_train:])):
        if len(target) == 0:
            out += [math.nan, math.nan]
            continue
        out.append(float(data_loss(loss, part, target)))
        if logits.shape[1] == 1:
            out.append(math.nan)
        else:
            out.append(float((part.argmax(dim=1) == target).float().mean()))
    return out[0], out[1], out[2], out[3]


@dataclass(frozen=True)
class Unscored:
    """Metrics still to be worked out, from outputs computed anyway (a frame's probe)."""

    step: int
    epoch: float
    loss: Loss

    def score(self, logits: np.ndarray, labels: np.ndarray, n_train: int) -> Metrics:
        """The metrics of outputs ``logits`` (N, classes) for points labelled ``labels``."""
        y = torch.from_numpy(labels)
        y = y.float() if logits.shape[1] == 1 else y.long()
        found = scores(torch.from_numpy(np.ascontiguousarray(logits)), y, n_train, self.loss)
        return Metrics(self.step, *found, self.epoch)
