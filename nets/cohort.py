"""Train many networks of one shape as one batched computation.

For networks this small, torch spends far more time dispatching each operation than computing
it. A class of students mostly trains the same architecture, so :func:`train_together` stacks
the weights of every trainer in a cohort (shape ``(S, out, in)``), runs the forward pass with
batched matrix products and applies each optimizer's update to the stacked tensors, with every
member's own learning rate, penalty rate and step count. The result is what each trainer's own
``step`` would have given (the tests check it against them): the trainers stay the owners of
their weights and optimizer state, which are gathered before a run and written back after it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from nets.features import PLAIN, Features
from nets.optim import (
    ADAGRAD_EPS,
    ADAM_EPS,
    BETAS,
    COUNTS_STEPS,
    MOMENTUM,
    RMS_ALPHA,
    RMS_EPS,
    STATE_NAMES,
)
from nets.train import Diverged, LayerStats, Trainer, check_room


def cohort_key(trainer: Trainer) -> Hashable | None:
    """Trainers with equal keys can train together; None: this one trains on its own
    (dropout draws its own masks, and there is nothing to learn without points)."""
    net, recipe = trainer.net, trainer.recipe
    n = len(trainer.y_train)
    if net.dropout > 0 or n == 0:
        return None
    batch = None if recipe.batch_size is None or recipe.batch_size >= n else recipe.batch_size
    shapes = (
        net.widths,
        len(net.features) if net.features != PLAIN else net.in_features,
        net.classes,
    )  # what every parameter's shape follows from
    penalty = recipe.penalty if recipe.rate > 0 else "none"
    return (
        shapes,
        net.activation,
        net.features,
        net.classes,
        recipe.optimizer,
        recipe.loss,
        penalty,
        batch,
        n if batch is None else 0,
        str(trainer.device),
    )


@dataclass
class _Stacked:
    """One parameter of every member, with its optimizer state and step counts. Each member's
    parameter and state tensors are views into these (see :class:`Cohort`)."""

    value: torch.Tensor  # (S, ...) leaf with requires_grad
    state: dict[str, torch.Tensor]
    step: torch.Tensor  # (S,) float32: each member's optimizer step count for this parameter


def _per_member(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """(S,) values shaped to broadcast over (S, ...) tensors like ``like``."""
    return values.view(-1, *([1] * (like.dim() - 1)))


def _gather(
    trainers: Sequence[Trainer], params: Sequence[nn.Parameter], names: tuple[str, ...]
) -> _Stacked:
    """One parameter (``params``: that parameter of each member) and its optimizer state; a
    member without state yet gets zeros, which every one of these optimizers treats as a
    fresh start (a zero momentum buffer gives the first step ``grad``, as a missing one)."""
    value = torch.stack([p.detach() for p in params]).clone().requires_grad_(True)
    state = {
        name: torch.stack(
            [
                t.opt.state[p][name].detach()
                if t.opt.state.get(p, {}).get(name) is not None
                else torch.zeros_like(p)
                for t, p in zip(trainers, params, strict=True)
            ]
        ).clone()
        for name in names
    }
    step = torch.tensor(
        [
            float(t.opt.state.get(p, {}).get("step", 0.0))
            for t, p in zip(trainers, params, strict=True)
        ],
        dtype=torch.float32,
    )
    return _Stacked(value, state, step)


def _update(name: str, p: _Stacked, lr: torch.Tensor) -> None:
    """One optimizer step on the stacked parameter, in place, as torch.optim takes it for each
    member (``p.step`` already counts this step)."""
    assert p.value.grad is not None
    g, w = p.value.grad, p.value.data
    lr = _per_member(lr, w)
    if name == "sgd":
        w.sub_(lr * g)
    elif name in ("momentum", "nesterov"):
        buf = p.state["momentum_buffer"].mul_(MOMENTUM).add_(g)
        w.sub_(lr * (g + MOMENTUM * buf if name == "nesterov" else buf))
    elif name == "adagrad":
        total = p.state["sum"].addcmul_(g, g)
        w.sub_(lr * g / (total.sqrt() + ADAGRAD_EPS))
    elif name == "rmsprop":
        avg = p.state["square_avg"].mul_(RMS_ALPHA).addcmul_(g, g, value=1 - RMS_ALPHA)
        w.sub_(lr * g / (avg.sqrt() + RMS_EPS))
    elif name == "adam":
        m = p.state["exp_avg"].lerp_(g, 1 - BETAS[0])
        v = p.state["exp_avg_sq"].mul_(BETAS[1]).addcmul_(g, g, value=1 - BETAS[1])
        t = _per_member(p.step.to(w.device).double(), w)  # steps stay on the CPU, as torch's
        correction1 = (1 - BETAS[0] ** t).to(w.dtype)
        correction2 = (1 - BETAS[1] ** t).to(w.dtype)
        w.sub_(lr / correction1 * m / (v.sqrt() / correction2.sqrt() + ADAM_EPS))
    else:
        raise ValueError(f"unknown optimizer {name!r}")


def _in_step(stacked: Sequence[_Stacked]) -> bool:
    """Every parameter has been stepped as often as every other, member by member (the usual
    case: a member's optimizer steps all its parameters at once)."""
    first = stacked[0].step
    return all(p.step is first or torch.equal(p.step, first) for p in stacked[1:])


def _adam_together(stacked: Sequence[_Stacked], lr: torch.Tensor) -> None:
    """:func:`_update`'s Adam step for every parameter at once (one call per operation for
    all of them, the bias corrections worked out once), when their step counts agree."""
    grads = [p.value.grad for p in stacked]
    assert all(g is not None for g in grads)
    weights = [p.value.data for p in stacked]
    ms = [p.state["exp_avg"] for p in stacked]
    vs = [p.state["exp_avg_sq"] for p in stacked]
    torch._foreach_lerp_(ms, grads, 1 - BETAS[0])  # type: ignore[arg-type]
    torch._foreach_mul_(vs, BETAS[1])
    torch._foreach_addcmul_(vs, grads, grads, value=1 - BETAS[1])  # type: ignore[arg-type]
    t = stacked[0].step.to(weights[0].device).double()
    size = (lr.double() / (1 - BETAS[0] ** t)).to(weights[0].dtype)
    root = (1 - BETAS[1] ** t).sqrt().to(weights[0].dtype)
    denoms = torch._foreach_sqrt(vs)
    torch._foreach_div_(denoms, [_per_member(root, w) for w in weights])
    torch._foreach_add_(denoms, ADAM_EPS)
    steps = torch._foreach_div(ms, denoms)
    torch._foreach_mul_(steps, [_per_member(size, w) for w in weights])
    torch._foreach_sub_(weights, steps)


def _losses(loss: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each member's mean data loss, as nets.optim.data_loss computes it for one: (S,).
    ``out`` holds the outputs as columns, (S, K, N)."""
    s, k, b = out.shape
    if k == 1:
        return ((out[:, 0, :] - y.to(out.dtype)) ** 2).mean(dim=1)
    if loss == "cross_entropy":
        return F.cross_entropy(out, y, reduction="none").mean(dim=1)
    if loss == "hinge":
        flat = out.transpose(1, 2).reshape(s * b, k)
        return F.multi_margin_loss(flat, y.reshape(s * b), reduction="none").view(s, b).mean(dim=1)
    if loss == "squared":
        target = F.one_hot(y, k).to(out.dtype).transpose(1, 2)
        return ((torch.softmax(out, dim=1) - target) ** 2).mean(dim=(1, 2))
    raise ValueError(f"unknown loss {loss!r}")


def _penalties(
    name: str, rates: torch.Tensor, weights: Sequence[torch.Tensor]
) -> torch.Tensor | None:
    if name == "l1":
        return rates * sum((w.abs().sum(dim=(1, 2)) for w in weights), torch.zeros_like(rates))
    if name == "l2":
        return rates / 2 * sum(((w * w).sum(dim=(1, 2)) for w in weights), torch.zeros_like(rates))
    return None


def train_together(trainers: Sequence[Trainer], steps: int) -> dict[int, Diverged]:
    """Take ``steps`` optimizer steps for every trainer (all of one :func:`cohort_key`) at once.

    Returns the members (by position) whose loss or weights stopped being finite; the run
    ends after the step where that happened, as each trainer's own ``step`` would have raised.
    """
    if not trainers or steps < 1:
        return {}
    return Cohort(trainers).train(steps)


class Cohort:
    """Trainers of one :func:`cohort_key`, bound to stacked tensors.

    Binding makes every member's parameters and optimizer state views into the stacked
    tensors, so a run needs no copying in or out, and whatever else touches a member between
    runs (a frame, a weight set by hand, a step of its own optimizer) sees and changes the same
    numbers. :meth:`fits` says whether the cohort still holds exactly these trainers.
    """

    def __init__(self, trainers: Sequence[Trainer]) -> None:
        self.trainers = list(trainers)
        self.optimizers = [t.opt for t in trainers]
        self.recipe = trainers[0].recipe
        self.names = STATE_NAMES[self.recipe.optimizer]
        self.counted = self.recipe.optimizer in COUNTS_STEPS
        members = self.members = [list(t.net.parameters()) for t in trainers]
        self.stacked = [
            _gather(trainers, params, self.names) for params in zip(*members, strict=True)
        ]
        self.first = [params[0] for params in members]
        self.weights = [p.value for p in self.stacked[0::2]]  # weight, bias, weight, ...
        self.biases = [p.value for p in self.stacked[1::2]]
        net = trainers[0].net
        self.features = next((m for m in net.body if isinstance(m, Features)), None)
        self.folds = [m for m in net.body if not isinstance(m, nn.Linear | Features)]
        for j, (t, params) in enumerate(zip(trainers, members, strict=True)):
            for p, s in zip(params, self.stacked, strict=True):
                p.data = s.value.data[j]
                if not self.names and not self.counted:
                    continue
                state = t.opt.state[p]
                for name in self.names:
                    state[name] = s.state[name][j]
                if self.counted:
                    state["step"] = s.step[j]

    def release(self) -> None:
        """Give every member tensors of its own again, copies of what the cohort holds: for
        when the cohort is let go, so that a member trains on alone without copying in and out
        (nets/fused.py binds only tensors that are free, never a cohort's)."""
        with torch.no_grad():
            for t, params in zip(self.trainers, self.members, strict=True):
                for p in params:
                    p.data = p.data.clone()
                    state = t.opt.state.get(p, {})
                    for name in (*self.names, "step"):
                        if state.get(name) is not None:
                            state[name] = state[name].clone()

    def fits(self, trainers: Sequence[Trainer]) -> bool:
        """The same trainers, in the same order, with the same optimizers and still bound."""
        return (
            len(trainers) == len(self.trainers)
            and all(a is b for a, b in zip(trainers, self.trainers, strict=True))
            and all(t.opt is o for t, o in zip(trainers, self.optimizers, strict=True))
            and all(
                p.data_ptr() == self.stacked[0].value.data[j].data_ptr()
                for j, p in enumerate(self.first)
            )
        )

    def _batch(
        self, batches: Sequence[tuple[torch.Tensor, torch.Tensor]]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Members' batches stacked: points as columns (S, features, N), labels (S, N)."""
        x = torch.stack([b[0] for b in batches])
        if self.features is not None:
            x = self.features(x.reshape(-1, x.shape[-1])).reshape(len(batches), x.shape[1], -1)
        return x.transpose(1, 2).contiguous(), torch.stack([b[1] for b in batches])

    def _lrs(self) -> torch.Tensor:
        """Each member's learning rate at its next step."""
        return torch.tensor(
            [t.lr_at(t.step_count) for t in self.trainers],
            dtype=self.weights[0].dtype,
            device=self.trainers[0].device,
        )

    def train(self, steps: int) -> dict[int, Diverged]:
        """Take ``steps`` steps for every member; the members that diverged, by position.
        Raises StepLimit (before any step) when a member's count would pass MAX_STEP."""
        trainers, weights, biases = self.trainers, self.weights, self.biases
        for t in trainers:
            check_room(t.step_count, steps)
        device = trainers[0].device
        rates = torch.tensor(
            [t.recipe.rate for t in trainers], dtype=weights[0].dtype, device=device
        )
        diverged: dict[int, Diverged] = {}
        whole = all(
            t.recipe.batch_size is None or t.recipe.batch_size >= len(t.y_train) for t in trainers
        )
        fixed = self._batch([t.next_batch() for t in trainers]) if whole else None
        steady = all(t.recipe.decay == "none" for t in trainers)
        lrs = self._lrs() if steady else None
        for i in range(steps):
            batches = [] if whole else [t.next_batch() for t in trainers]
            x, y = fixed or self._batch(batches)
            # Points are columns, (S, features, N): a product along the long axis of points
            # is much faster than one along the short axis of two units.
            h = x
            for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
                h = torch.baddbmm(b.unsqueeze(2), w, h)
                if layer < len(self.folds):
                    h = self.folds[layer](h)
            total = _losses(self.recipe.loss, h, y)
            extra = _penalties(self.recipe.penalty, rates, weights)
            if extra is not None:
                total = total + extra
            for p in self.stacked:
                p.value.grad = None
            torch.autograd.backward(total.sum())
            step_lrs = lrs if lrs is not None else self._lrs()
            last = i == steps - 1
            before = [w.detach().clone() for w in weights] if last else []
            with torch.no_grad():
                for p in self.stacked:
                    p.step.add_(1)
                if self.recipe.optimizer == "adam" and _in_step(self.stacked):
                    _adam_together(self.stacked, step_lrs)
                else:
                    for p in self.stacked:
                        _update(self.recipe.optimizer, p, step_lrs)
            for j, t in enumerate(trainers):
                t.step_count += 1
                t.examples_seen += y.shape[1] if whole else len(batches[j][1])
            values = total.detach()
            if not bool(torch.isfinite(values).all()):
                for j, t in enumerate(trainers):
                    if not math.isfinite(float(values[j])):
                        diverged[j] = Diverged(
                            f"loss became {float(values[j])} at step {t.step_count}"
                        )
                break
            if last:
                _record_stats(trainers, weights, before)
        finite = [torch.isfinite(p.value.data).flatten(1).all(dim=1) for p in self.stacked]
        healthy = torch.stack(finite).all(dim=0).tolist()
        for j, t in enumerate(trainers):
            if j not in diverged and not healthy[j]:
                diverged[j] = Diverged(f"a weight became NaN or infinite at step {t.step_count}")
        return diverged


def _record_stats(
    trainers: Sequence[Trainer], weights: Sequence[torch.Tensor], before: Sequence[torch.Tensor]
) -> None:
    grads = [
        w.grad.norm(dim=(1, 2)).tolist() if w.grad is not None else [0.0] * len(trainers)
        for w in weights
    ]
    norms = [w0.norm(dim=(1, 2)) for w0 in before]
    moved = [(w.detach() - w0).norm(dim=(1, 2)) for w, w0 in zip(weights, before, strict=True)]
    ratios = [
        torch.where(n > 0, d / torch.where(n > 0, n, 1.0), 0.0).tolist()
        for d, n in zip(moved, norms, strict=True)
    ]
    for j, t in enumerate(trainers):
        t.stats = LayerStats([float(g[j]) for g in grads], [float(r[j]) for r in ratios])
