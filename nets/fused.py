"""The fused path: a small FoldNet trains many steps in one compiled call.

A network of a few hundred weights costs torch far more in dispatch (some 10 µs an operation,
dozens of operations a step) than in arithmetic. :func:`run` gathers a trainer's parameters
and optimizer state into flat float32 arrays, takes all the steps in
:func:`nets.fused_kernel.train_steps` and writes the results back into the same tensors, so the
torch ``FoldNet`` and its ``torch.optim`` optimizer stay the one model: a frame, a save, a cohort
or a later torch step sees exactly what the fused steps left. Mini-batches are drawn from the
trainer's generator as its torch path draws them (one ``randint`` for all the steps gives the
same indices as one a step), so either path takes the same steps from the same state.

:func:`reason` says why a trainer cannot take this path (then it trains through torch).
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from nets import fused_kernel as kernel
from nets.features import Features
from nets.model import (
    ACTIVATIONS,
    ELU_ALPHA,
    LEAKY_SLOPE,
    SOFTPLUS_BETA,
    SOFTPLUS_THRESHOLD,
    FoldNet,
)
from nets.optim import (
    ADAGRAD_EPS,
    ADAM_EPS,
    BETAS,
    COUNTS_STEPS,
    DECAYS,
    LOSSES,
    MOMENTUM,
    OPTIMIZERS,
    PENALTIES,
    RMS_ALPHA,
    RMS_EPS,
    STATE_NAMES,
    make_optimizer,
)

if TYPE_CHECKING:
    from nets.train import Recipe, Trainer

log = logging.getLogger("spacefold")

#: The fused path's layer products are plain loops, torch's are matrix kernels with some
#: 10 µs of overhead each: torch wins only for wide layers over many points. So the fused path
#: takes every network whose widest layer has at most NARROW units, and a wider one while a
#: step's work (points in the batch × multiply-adds a point) stays under MAX_WORK. Measured:
#: 32 × 4 over 400 points, torch 1.2× faster; over 10, the fused path 10×; 16 × 10 over 400,
#: the fused path 1.4× (``python -m bench.train``).
NARROW = 16
MAX_WORK = 600_000

FOLD_CONSTANTS = np.array([LEAKY_SLOPE, ELU_ALPHA, SOFTPLUS_BETA, SOFTPLUS_THRESHOLD])
OPTIMIZER_CONSTANTS = np.array(
    [MOMENTUM, BETAS[0], BETAS[1], ADAM_EPS, ADAGRAD_EPS, RMS_ALPHA, RMS_EPS]
)


def macs(net: nn.Module) -> int:
    """Multiply-adds of one point through every Linear layer of ``net``."""
    return sum(m.in_features * m.out_features for m in net.modules() if isinstance(m, nn.Linear))


def reason(trainer: Trainer) -> str | None:
    """Why ``trainer`` cannot take the fused path, or None if it can."""
    net = trainer.net
    if _failure is not None:
        return f"the compiled path could not be built ({_failure})"
    if trainer.device.type != "cpu":
        return f"the network is on {trainer.device}"
    if net.dropout > 0:
        return "dropout draws its masks in torch"
    plan = _PLANS.get(trainer)
    bound = plan is not None and plan.holds(trainer)
    points = len(trainer.y_train)
    if trainer.recipe.batch_size is not None:
        points = min(points, trainer.recipe.batch_size)
    work = (plan.macs if plan is not None and bound else macs(net)) * points
    if max(net.widths, default=0) > NARROW and work > MAX_WORK:
        return f"layers wider than {NARROW} over {points} points a step: torch is faster"
    if not bound and trainer.recipe.optimizer in COUNTS_STEPS:
        counts = {float(trainer.opt.state.get(p, {}).get("step", 0.0)) for p in net.parameters()}
        if len(counts) > 1:
            return "the parameters' optimizer step counts differ"
    return None


@dataclass
class _Inputs:
    """A trainer's training points as the kernel reads them, kept while they stay the same."""

    x_train: torch.Tensor  # what they were made from
    y_train: torch.Tensor
    net: nn.Module  # whose input features they are
    x: np.ndarray  # float32 (N, inputs): the first Linear layer's inputs
    y: np.ndarray  # float64 (N,)


_INPUTS: weakref.WeakKeyDictionary[Trainer, _Inputs] = weakref.WeakKeyDictionary()


def _inputs(trainer: Trainer) -> _Inputs:
    known = _INPUTS.get(trainer)
    if (
        known
        and known.x_train is trainer.x_train
        and known.y_train is trainer.y_train
        and known.net is trainer.net
    ):
        return known
    x = trainer.x_train
    first = trainer.net.body[0]
    if isinstance(first, Features):
        with torch.no_grad():
            x = first(x)
    made = _Inputs(
        trainer.x_train,
        trainer.y_train,
        trainer.net,
        np.ascontiguousarray(x.detach().numpy(), dtype=np.float32),
        trainer.y_train.numpy().astype(np.float64),
    )
    _INPUTS[trainer] = made
    return made


#: Where the kernel keeps each optimizer's state: its first and its second buffer.
BUFFERS: dict[str, tuple[str | None, str | None]] = {
    "sgd": (None, None),
    "momentum": ("momentum_buffer", None),
    "nesterov": ("momentum_buffer", None),
    "adagrad": ("sum", None),
    "rmsprop": (None, "square_avg"),
    "adam": ("exp_avg", "exp_avg_sq"),
}
assert all({n for n in BUFFERS[o] if n} == set(STATE_NAMES[o]) for o in STATE_NAMES), (
    "every optimizer state entry has its buffer"
)


class _Plan:
    """A trainer's parameters, gradients and optimizer state as flat arrays, the kernel's.

    At first the trainer is bound: each of its tensors becomes a view into one of the arrays
    (as a cohort binds its members), so a call of the kernel needs no copying in or out. When
    something rebinds them later (a cohort of which the trainer is a member), the plan borrows
    instead: it copies the tensors in before a call and back after (:meth:`load`,
    :meth:`store`), and leaves them where they are.
    """

    def __init__(self, net: FoldNet, opt: torch.optim.Optimizer, optimizer: str) -> None:
        self.net, self.opt = net, opt
        self.names = BUFFERS[optimizer]
        self.counted = optimizer in COUNTS_STEPS
        self.linears = [m for m in net.body if isinstance(m, nn.Linear)]
        self.params = [t for m in self.linears for t in (m.weight, m.bias)]
        rows, offset = [], 0
        for m in self.linears:
            rows.append(
                [offset, offset + m.in_features * m.out_features, m.in_features, m.out_features]
            )
            offset += (m.in_features + 1) * m.out_features
        self.layers = np.array(rows, dtype=np.int64)
        self.macs = macs(net)
        self.flat = np.zeros(offset, dtype=np.float32)
        self.grads = np.zeros_like(self.flat)
        self.before = np.zeros_like(self.flat)
        self.stats = np.zeros((len(self.linears), 2))
        self.buffers = (np.zeros_like(self.flat), np.zeros_like(self.flat))
        self.steps = np.zeros(len(self.params), dtype=np.float32)  # the optimizer's, per tensor
        self.views = self._views(self.flat)
        self.grad_views = self._views(self.grads)
        self.buffer_views = [self._views(b) for b in self.buffers]
        self.step_views = list(torch.from_numpy(self.steps))
        self.load()
        self.pointers: list[int] = []
        self.bound: list[tuple[str, torch.Tensor]] = []

    def _views(self, flat: np.ndarray) -> list[torch.Tensor]:
        whole = torch.from_numpy(flat)
        out, offset = [], 0
        for p in self.params:
            out.append(whole[offset : offset + p.numel()].view_as(p))
            offset += p.numel()
        return out

    def _entries(self) -> list[tuple[str, list[torch.Tensor]]]:
        """Each optimizer state entry that the kernel keeps, with its views, by name."""
        named = zip(self.names, self.buffer_views, strict=True)
        out = [(name, views) for name, views in named if name is not None]
        return [*out, ("step", self.step_views)] if self.counted else out

    def load(self) -> None:
        """Copy the trainer's tensors in. A missing state is zeros: a fresh start for every one
        of these optimizers (a zero momentum buffer makes the first buffer the gradient, as
        torch's first step does)."""
        state = self.opt.state
        with torch.no_grad():
            for p, view in zip(self.params, self.views, strict=True):
                view.copy_(p)
            for name, views in self._entries():
                for p, view in zip(self.params, views, strict=True):
                    known = state.get(p, {}).get(name)
                    view.copy_(known if known is not None else torch.zeros_like(view))

    def bind(self) -> None:
        """Make the trainer's tensors views into this plan's arrays."""
        for p, view in zip(self.params, self.views, strict=True):
            p.data = view
        for name, views in self._entries():
            for p, view in zip(self.params, views, strict=True):
                self.opt.state[p][name] = view
        self.pointers = [p.data_ptr() for p in self.params]
        self.bound = [(name, views[0]) for name, views in self._entries()]

    def store(self) -> None:
        """Copy the results back into the trainer's tensors, wherever they now are."""
        with torch.no_grad():
            for p, view in zip(self.params, self.views, strict=True):
                p.copy_(view)
            for name, views in self._entries():
                for p, view in zip(self.params, views, strict=True):
                    known = self.opt.state[p].get(name)
                    if known is None:
                        self.opt.state[p][name] = view.clone()
                    else:
                        known.copy_(view)

    def serves(self, trainer: Trainer) -> bool:
        """This plan is the trainer's: the same network and optimizer."""
        return trainer.net is self.net and trainer.opt is self.opt

    def holds(self, trainer: Trainer) -> bool:
        """Still bound to this trainer's network, optimizer and their tensors. (Whatever
        rebinds them, a cohort, rebinds every parameter and all of its state; a parameter's
        place and the first parameter's state tell. The state is looked up afresh: loading a
        state dict replaces the optimizer's whole ``state``, not the tensors in it.)"""
        first = self.opt.state.get(self.params[0], {})
        return (
            self.serves(trainer)
            and bool(self.pointers)
            and all(p.data_ptr() == q for p, q in zip(self.params, self.pointers, strict=True))
            and all(first.get(name) is view for name, view in self.bound)
        )


_PLANS: weakref.WeakKeyDictionary[Trainer, _Plan] = weakref.WeakKeyDictionary()


def _plan(trainer: Trainer) -> tuple[_Plan, bool]:
    """The trainer's plan, and whether it borrows the trainer's tensors (see :class:`_Plan`):
    a new plan binds them only if they are free (see :func:`_free`), never a cohort's."""
    old = _PLANS.get(trainer)
    if old is not None and old.holds(trainer):
        return old, False
    if old is not None and old.serves(trainer):
        old.load()
        if _free(old.params):  # what replaced them (a loaded state) binds nothing: bind again
            old.bind()
            return old, False
        return old, True
    plan = _PLANS[trainer] = _Plan(trainer.net, trainer.opt, trainer.recipe.optimizer)
    if _free(plan.params):
        plan.bind()
        return plan, False
    return plan, True


def _free(params: list[torch.Tensor]) -> bool:
    """Nobody else binds these parameters: each is all of its storage (as a new network's), or
    they all lie in one storage of exactly their size (an earlier plan's, or a copy of one). A
    cohort's members lie in storages of every member's parameter of one place."""
    if all(p.untyped_storage().nbytes() == p.numel() * p.element_size() for p in params):
        return True
    storages = {p.untyped_storage().data_ptr() for p in params}
    size = sum(p.numel() * p.element_size() for p in params)
    return len(storages) == 1 and params[0].untyped_storage().nbytes() == size


_COMPILED = threading.Lock()
_ready = False
_failure: str | None = None  # why the kernel could not be built, if it could not


def ensure_compiled() -> bool:
    """Compile the kernel (or load it from numba's cache) before its first use: whether it is
    ready. One thread compiles while any other that needs it waits; the gym's thread does it
    first thing, so that the first press of play does not wait for the compiler. If it cannot
    be built, every trainer goes through torch (:func:`reason` says why)."""
    global _ready, _failure
    if _ready or _failure is not None:
        return _ready
    with _COMPILED:
        if _ready or _failure is not None:
            return _ready
        from nets.train import Recipe  # nets.train imports this module

        tiny = FoldNet([2], "relu", 2, seed=0)
        plan = _Plan(tiny, make_optimizer("sgd", list(tiny.parameters()), 0.1), "sgd")
        points = np.zeros((2, 2), dtype=np.float32)
        try:
            _call(plan, tiny, Recipe("sgd"), 0, points, np.zeros(2), WHOLE, 1)
        except Exception as exc:  # a broken compiler must not stop training: torch remains
            _failure = f"{type(exc).__name__}: {exc}"
            log.exception("the fused training path could not be built; torch trains instead")
            return False
        _ready = True
        return True


Stats = tuple[list[float], list[float]]  # per layer: gradient norms, update ratios


def run(trainer: Trainer, count: int) -> tuple[float, bool, Stats | None] | None:
    """Take ``count`` steps of ``trainer`` on the fused path: the last step's objective,
    whether every weight is finite after, and the last step's statistics (None unless every
    step was taken); None, having done nothing, if :func:`reason` turns the trainer away.
    The step count, examples seen and gradients are kept as the torch path keeps them; a step
    whose objective is not finite is the last one taken (the caller raises)."""
    if reason(trainer) is not None or not ensure_compiled():
        return None
    recipe = trainer.recipe
    plan, borrowed = _plan(trainer)
    data = _inputs(trainer)
    n = len(data.y)
    size = recipe.batch_size
    if size is None or size >= n:
        batches, size = WHOLE, n
    else:
        batches = torch.randint(0, n, (count, size), generator=trainer._gen).numpy()
    losses, done, finite = _call(
        plan, trainer.net, recipe, trainer.step_count, data.x, data.y, batches, count
    )
    if borrowed:
        plan.store()
    for p, grad in zip(plan.params, plan.grad_views, strict=True):
        p.grad = grad
    for group in trainer.opt.param_groups:
        group["lr"] = trainer.lr_at(trainer.step_count + done - 1)
    trainer.step_count += done
    trainer.examples_seen += done * size
    last = float(losses[done - 1])
    stats = None
    if done == count and math.isfinite(last):
        stats = (plan.stats[:, 0].tolist(), plan.stats[:, 1].tolist())
    return last, finite, stats


def _call(
    plan: _Plan,
    net: FoldNet,
    recipe: Recipe,
    step: int,
    x: np.ndarray,
    y: np.ndarray,
    batches: np.ndarray,
    count: int,
) -> tuple[np.ndarray, int, bool]:
    """One call of the kernel on a bound plan: each step's objective, steps taken, finite."""
    losses = np.zeros(count)
    t0 = float(plan.steps[0])
    done, finite = kernel.train_steps(
        plan.flat,
        plan.layers,
        ACTIVATIONS.index(net.activation),
        FOLD_CONSTANTS,
        LOSSES.index(recipe.loss),
        net.classes,
        PENALTIES.index(recipe.penalty),
        float(recipe.rate),
        OPTIMIZERS.index(recipe.optimizer),
        OPTIMIZER_CONSTANTS,
        float(recipe.lr),
        DECAYS.index(recipe.decay),
        int(recipe.decay_every),
        int(step),
        t0,
        plan.buffers[0],
        plan.buffers[1],
        x,
        y,
        batches,
        count,
        losses,
        plan.grads,
        plan.before,
        plan.stats,
    )
    if plan.counted:
        plan.steps[:] = float32_count(t0, done)
    return losses, int(done), bool(finite)


#: Past this, adding 1 to a float32 gives the same float32: torch's step count stops there.
FLOAT32_COUNTS = 2.0**24


def float32_count(t0: float, done: int) -> float:
    """An optimizer's step count ``t0`` after ``done`` more steps, as torch keeps it: a float32
    tensor that adds 1 a step, so that it stops at 2**24 (or wherever it stands past that)."""
    return min(t0 + done, max(t0, FLOAT32_COUNTS))


WHOLE = np.zeros((0, 0), dtype=np.int64)  # the kernel's word for "the whole training set"
