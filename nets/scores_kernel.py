"""The cross-entropy and accuracy of a frame's outputs (:func:`nets.train.scores`), compiled: one
call for the training and the test points.

The same numbers as ``F.cross_entropy`` and ``(out.argmax(dim=1) == y).float().mean()`` on each
set. Torch works out the log-softmax of every row (one call for both sets: a row's values do
not depend on the others); the loop then does what torch's ``nll_loss`` does with them, in the
outputs' float type: it sums the picked values in a cascade of partial sums (the first in runs
of 16, each further one over 16 of the one before) and divides by the count. The accuracy is
the share of rows whose first largest output (the first NaN, if any) is the label's.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from numba import njit

#: Torch's nll_loss keeps this many partial sums.
LEVELS = 8


@njit(cache=True)
def _mean_loss(logp: np.ndarray, labels: np.ndarray, begin: int, end: int) -> float:
    """Minus the mean of ``logp[i, labels[i]]`` over rows ``begin`` to ``end`` (at least one), as
    torch's nll_loss sums it: in ``logp``'s float type, in its order."""
    count = end - begin
    log2 = 0  # the base-2 logarithm of the count, rounded up
    while (1 << log2) < count:
        log2 += 1
    power = max(4, log2 // LEVELS)
    mask = (1 << power) - 1
    partial = np.zeros(LEVELS + 2, dtype=logp.dtype)  # the partial sums, the total, the count
    for b in range(count):
        partial[0] -= logp[begin + b, labels[begin + b]]
        for j in range(LEVELS - 1):
            if b & (mask << (j * power)) != 0:
                break
            partial[j + 1] += partial[j]
            partial[j] = 0
    for j in range(LEVELS):
        partial[LEVELS] += partial[j]
    partial[LEVELS + 1] = count
    return float(partial[LEVELS] / partial[LEVELS + 1])


@njit(cache=True)
def _accuracy(logits: np.ndarray, labels: np.ndarray, begin: int, end: int) -> float:
    """The share of rows ``begin`` to ``end`` (at least one) whose argmax is their label, in
    float32 whatever the outputs' type (the count over the rows, rounded once)."""
    right = 0
    for i in range(begin, end):
        best = 0
        for k in range(1, logits.shape[1]):
            if not np.isnan(logits[i, best]) and (
                np.isnan(logits[i, k]) or logits[i, k] > logits[i, best]
            ):
                best = k
        if best == labels[i]:
            right += 1
    share = np.zeros(2, dtype=np.float32)
    share[0], share[1] = right, end - begin
    return float(share[0] / share[1])


@njit(cache=True)
def set_scores(
    logp: np.ndarray, logits: np.ndarray, labels: np.ndarray, n_train: int, out: np.ndarray
) -> bool:
    """Fills ``out`` with the training loss and accuracy and the test loss and accuracy of
    ``logits`` (N, classes), ``logp`` their rows' log-softmax, the first ``n_train`` rows the
    training set's; NaN for an empty set. False, with ``out`` untouched, where a label is not
    a class number (torch says so)."""
    for i in range(len(labels)):
        if labels[i] < 0 or labels[i] >= logits.shape[1]:
            return False
    bounds = (0, n_train, len(labels))
    for s in range(2):
        begin, end = bounds[s], bounds[s + 1]
        if begin == end:
            out[2 * s], out[2 * s + 1] = math.nan, math.nan
        else:
            out[2 * s] = _mean_loss(logp, labels, begin, end)
            out[2 * s + 1] = _accuracy(logits, labels, begin, end)
    return True


def cross_entropy_scores(
    logits: torch.Tensor, labels: np.ndarray, n_train: int
) -> tuple[float, float, float, float] | None:
    """``scores`` with the cross-entropy loss, for points labelled ``labels`` (N,) integers; None
    where this route does not apply: outputs off the CPU, not float32 or float64, a single
    output (regression), labels not integers or not class numbers."""
    if (
        logits.device.type != "cpu"
        or logits.dtype not in (torch.float32, torch.float64)
        or logits.ndim != 2
        or logits.shape[1] < 2
        or labels.dtype.kind not in "iu"
        or labels.shape != (logits.shape[0],)
        or not 0 <= n_train <= len(labels)
    ):
        return None
    out = logits.detach().contiguous()  # a trainer's outputs come column by column
    found = np.empty(4)
    if not set_scores(torch.log_softmax(out, 1).numpy(), out.numpy(), labels, n_train, found):
        return None
    train_loss, train_acc, test_loss, test_acc = found.tolist()
    return train_loss, train_acc, test_loss, test_acc
