"""Optimizers, learning-rate decay, losses and weight penalties, by name."""

from __future__ import annotations

from typing import Literal, get_args

import torch
from torch import nn
from torch.nn import functional as F

Optimizer = Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
OPTIMIZERS: tuple[Optimizer, ...] = get_args(Optimizer)
Decay = Literal["none", "step", "exponential", "inverse"]
DECAYS: tuple[Decay, ...] = get_args(Decay)
Loss = Literal["cross_entropy", "hinge", "squared"]
LOSSES: tuple[Loss, ...] = get_args(Loss)
Penalty = Literal["none", "l1", "l2"]
PENALTIES: tuple[Penalty, ...] = get_args(Penalty)
MOMENTUM = 0.9
# torch.optim's defaults, which make_optimizer uses.
BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
ADAGRAD_EPS = 1e-10
RMS_ALPHA, RMS_EPS = 0.99, 1e-8

# Which optimizer-state entries each optimizer keeps per parameter (besides "step").
STATE_NAMES: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum_buffer",),
    "nesterov": ("momentum_buffer",),
    "adagrad": ("sum",),
    "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"),
}
COUNTS_STEPS = frozenset({"adagrad", "rmsprop", "adam"})


def make_optimizer(name: Optimizer, params: list[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)}")


def decayed_lr(lr: float, decay: Decay, every: int, step: int) -> float:
    """The learning rate at ``step``: halved every ``every`` steps (``step``: in stairs,
    ``exponential``: smoothly), or ``lr / (1 + step / every)`` (``inverse``, the 1/t decay)."""
    if decay == "none":
        return lr
    if decay == "step":
        return float(lr * 0.5 ** (step // every))
    if decay == "exponential":
        return float(lr * 0.5 ** (step / every))
    if decay == "inverse":
        return lr / (1.0 + step / every)
    raise ValueError(f"unknown decay {decay!r}; choose one of {list(DECAYS)}")


def data_loss(name: Loss, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Classification losses on logits ``out`` (N, K) and labels ``y``; a regression net
    (one output) always uses the squared error against real targets."""
    if out.shape[1] == 1:
        return F.mse_loss(out[:, 0], y.to(out.dtype))
    if name == "cross_entropy":
        return F.cross_entropy(out, y)
    if name == "hinge":
        return F.multi_margin_loss(out, y)
    if name == "squared":
        target = F.one_hot(y, out.shape[1]).to(out.dtype)
        return F.mse_loss(torch.softmax(out, dim=1), target)
    raise ValueError(f"unknown loss {name!r}; choose one of {list(LOSSES)}")


def penalty(name: Penalty, rate: float, net: nn.Module) -> torch.Tensor | None:
    """``rate·Σ|w|`` (L1) or ``rate·Σw²/2`` (L2, whose gradient is ``rate·w``) over the weights,
    not the biases; None when there is no penalty."""
    if name == "none" or rate == 0.0:
        return None
    weights = [m.weight for m in net.modules() if isinstance(m, nn.Linear)]
    zero = weights[0].new_zeros(())
    if name == "l1":
        return rate * sum((w.abs().sum() for w in weights), zero)
    if name == "l2":
        return rate / 2 * sum(((w * w).sum() for w in weights), zero)
    raise ValueError(f"unknown penalty {name!r}; choose one of {list(PENALTIES)}")
