"""Trainer: cross-entropy, SGD or Adam, metrics and divergence detection."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from nets.datasets import Dataset
from nets.model import FoldNet

Optimizer = Literal["sgd", "adam"]
OPTIMIZERS: tuple[Optimizer, ...] = ("sgd", "adam")


class Diverged(RuntimeError):
    """The loss or a weight became NaN or infinite."""


@dataclass(frozen=True)
class Metrics:
    step: int
    train_loss: float
    train_acc: float
    test_loss: float
    test_acc: float


def make_optimizer(name: Optimizer, params: list[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)}")


class Trainer:
    """Trains a FoldNet on a Dataset with full-batch (or mini-batch) steps."""

    def __init__(
        self,
        net: FoldNet,
        data: Dataset,
        optimizer: Optimizer = "adam",
        lr: float = 0.03,
        batch_size: int | None = None,
        seed: int = 0,
        device: torch.device | str = "cpu",
    ) -> None:
        self.device = torch.device(device)
        self.net = net.to(self.device)
        self.data = data
        self.x_train = torch.as_tensor(data.x_train, device=self.device)
        self.y_train = torch.as_tensor(data.y_train, device=self.device)
        self.x_test = torch.as_tensor(data.x_test, device=self.device)
        self.y_test = torch.as_tensor(data.y_test, device=self.device)
        self.batch_size = batch_size
        self.step_count = 0
        self._gen = torch.Generator().manual_seed(seed)
        self.optimizer_name = optimizer
        self.lr = lr
        self.opt = make_optimizer(optimizer, list(self.net.parameters()), lr)
        self.loss_fn = nn.CrossEntropyLoss()

    def set_optimizer(self, name: Optimizer, lr: float) -> None:
        """Switch optimizer or learning rate, keeping the weights."""
        if name != self.optimizer_name:
            self.opt = make_optimizer(name, list(self.net.parameters()), lr)
            self.optimizer_name = name
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.lr = lr

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        n = len(self.y_train)
        if self.batch_size is None or self.batch_size >= n:
            return self.x_train, self.y_train
        idx = torch.randint(0, n, (self.batch_size,), generator=self._gen).to(self.device)
        return self.x_train[idx], self.y_train[idx]

    def step(self, count: int = 1) -> float:
        """Take ``count`` optimizer steps; return the last batch loss. Raises Diverged."""
        loss_value = math.nan
        self.net.train()
        for _ in range(count):
            x, y = self._batch()
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.net(x), y)
            loss.backward()
            self.opt.step()
            self.step_count += 1
            loss_value = float(loss.detach())
            if not math.isfinite(loss_value):
                raise Diverged(f"loss became {loss_value} at step {self.step_count}")
        if not all(bool(torch.isfinite(p).all()) for p in self.net.parameters()):
            raise Diverged(f"a weight became NaN or infinite at step {self.step_count}")
        return loss_value

    @torch.no_grad()
    def metrics(self) -> Metrics:
        self.net.eval()
        out = []
        for x, y in ((self.x_train, self.y_train), (self.x_test, self.y_test)):
            logits = self.net(x)
            out.append(float(self.loss_fn(logits, y)))
            out.append(float((logits.argmax(dim=1) == y).float().mean()))
        return Metrics(self.step_count, out[0], out[1], out[2], out[3])

    def predict(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            logits = self.net(torch.as_tensor(x, device=self.device))
        labels: np.ndarray = logits.argmax(dim=1).cpu().numpy()
        return labels

    def __repr__(self) -> str:
        return (
            f"Trainer({self.net!r}, {self.data!r}, optimizer={self.optimizer_name!r}, "
            f"lr={self.lr}, step={self.step_count})"
        )
