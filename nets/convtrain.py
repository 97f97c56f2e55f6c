"""Training a ConvNet on signals or images: mini-batches, an optimizer, and the scores.

The conv mode's counterpart of :class:`nets.train.Trainer`, kept apart because a conv net's
inputs are maps, not points, and it has none of the fold's paths (fused kernel, cohorts).
The same optimizers and losses (:mod:`nets.optim`), the same step cap and divergence rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from nets.conv import ConvNet
from nets.optim import Optimizer, data_loss, make_optimizer
from nets.signals import Signals
from nets.train import Diverged, check_room


@dataclass(frozen=True)
class ConvMetrics:
    step: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float


class ConvTrainer:
    """Trains ``net`` on ``train``; scores it on ``train`` and ``test``."""

    def __init__(
        self,
        net: ConvNet,
        train: Signals,
        test: Signals,
        optimizer: Optimizer = "adam",
        lr: float = 0.01,
        batch_size: int = 32,
        seed: int = 0,
    ) -> None:
        self.net = net
        self.set_data(train, test)
        self.batch_size = batch_size
        self.step_count = 0
        self._gen = torch.Generator().manual_seed(seed)
        self.optimizer_name: Optimizer = optimizer
        self.opt = make_optimizer(optimizer, list(net.parameters()), lr)
        self.lr = lr

    def set_data(self, train: Signals, test: Signals) -> None:
        self.train, self.test = train, test
        self.x_train = torch.from_numpy(train.x)
        self.y_train = torch.from_numpy(train.labels)
        self.x_test = torch.from_numpy(test.x)
        self.y_test = torch.from_numpy(test.labels)

    def set_recipe(self, optimizer: Optimizer, lr: float, batch_size: int) -> None:
        """Train on with another recipe; the optimizer's state stays unless it changes."""
        if optimizer != self.optimizer_name:
            self.opt = make_optimizer(optimizer, list(self.net.parameters()), lr)
            self.optimizer_name = optimizer
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.lr, self.batch_size = lr, batch_size

    def reset_optimizer(self) -> None:
        """Forget the optimizer's state (after the weights were set by hand)."""
        self.opt = make_optimizer(self.optimizer_name, list(self.net.parameters()), self.lr)

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(self.y_train)
        if self.batch_size == 0 or self.batch_size >= n:
            return self.x_train, self.y_train
        idx = torch.randint(0, n, (self.batch_size,), generator=self._gen)
        return self.x_train[idx], self.y_train[idx]

    def step(self, count: int = 1) -> float:
        """``count`` optimizer steps; the last batch's loss. Raises Diverged or StepLimit."""
        check_room(self.step_count, count)
        loss_value = math.nan
        self.net.train()
        for _ in range(count):
            x, y = self.next_batch()
            self.opt.zero_grad(set_to_none=True)
            loss = data_loss("cross_entropy", self.net(x), y)
            loss.backward()  # type: ignore[no-untyped-call]
            self.opt.step()
            self.step_count += 1
            loss_value = float(loss.detach())
            if not math.isfinite(loss_value):
                raise Diverged(f"loss became {loss_value} at step {self.step_count}")
        return loss_value

    def metrics(self) -> ConvMetrics:
        """Loss and accuracy on the training and the test samples."""
        with torch.no_grad():
            found: list[float] = []
            for x, y in ((self.x_train, self.y_train), (self.x_test, self.y_test)):
                if len(y) == 0:
                    found += [math.nan, math.nan]
                    continue
                logits = self.net(x)
                found.append(float(data_loss("cross_entropy", logits, y)))
                found.append(float((logits.argmax(1) == y).float().mean()))
        return ConvMetrics(self.step_count, *found)
