"""Trainer: optimizers, losses, penalties, mini-batches, metrics and divergence detection."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

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


class Diverged(RuntimeError):
    """The loss or a weight became NaN or infinite."""


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
    ) -> None:
        self.device = torch.device(device)
        self.net = net.to(self.device)
        self.set_data(data)
        self.recipe = recipe or Recipe()
        self.step_count = 0
        self.examples_seen = 0
        self._gen = torch.Generator().manual_seed(seed)
        self.opt = make_optimizer(self.recipe.optimizer, list(self.net.parameters()),
                                  self.recipe.lr)
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
        loss = data_loss(self.recipe.loss, self.net(x), y)
        extra = penalty(self.recipe.penalty, self.recipe.rate, self.net)
        return loss, loss if extra is None else loss + extra

    def step(self, count: int = 1) -> float:
        """Take ``count`` optimizer steps; return the last batch loss. Raises Diverged."""
        loss_value = math.nan
        if len(self.y_train) == 0:
            return loss_value  # nothing to learn from (all points were removed)
        self.net.train()
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
        if not all(bool(torch.isfinite(p).all()) for p in self.net.parameters()):
            raise Diverged(f"a weight became NaN or infinite at step {self.step_count}")
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

    @torch.no_grad()
    def metrics(self) -> Metrics:
        self.net.eval()
        out = []
        for x, y in ((self.x_train, self.y_train), (self.x_test, self.y_test)):
            if len(y) == 0:
                out += [math.nan, math.nan]
                continue
            logits = self.net(x)
            out.append(float(data_loss(self.recipe.loss, logits, y)))
            if self.net.classes == 1:
                out.append(math.nan)
            else:
                out.append(float((logits.argmax(dim=1) == y).float().mean()))
        return Metrics(self.step_count, out[0], out[1], out[2], out[3], self.epoch)

    def __repr__(self) -> str:
        return f"Trainer({self.net!r}, {self.data!r}, {self.recipe!r}, step={self.step_count})"
