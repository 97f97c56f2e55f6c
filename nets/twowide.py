"""A network of 2 × 2 layers and ReLU folds (the default, the lecture's), as the compiled probe
(:mod:`nets.probe_kernel`) takes it: what each module is, and every layer's weights and bias.

The compiled probe gives torch's numbers to the bit (see :mod:`nets.probe_kernel`), and does so
only where torch's matrix product adds the bias and each product in turn: on the CPU, with at
most :data:`MAX_CLASSES` outputs (for more, torch fuses the products). Which kernel torch's
product runs depends on the CPU, so each process checks once that the compiled probe gives
torch's numbers on random layers (:func:`kernel_is_torch`); where it does not, every network
goes through torch.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nets import probe_kernel
from nets.model import Fold, FoldNet

log = logging.getLogger("spacefold")

#: Outputs up to which torch's product for a 2-wide input is the kernel's arithmetic.
MAX_CLASSES = 3
#: Points of the check that the compiled probe is torch's here (an odd number: a vector's tail).
CHECK_POINTS = 517


@dataclass(frozen=True)
class TwoWide:
    """The network's modules as the kernel takes them (see :mod:`nets.probe_kernel`): ``kinds``
    (M,) int8, ``offsets`` (M,) of each layer's numbers in ``flat`` (float32) and ``classes``.
    A copy: it holds the weights of the moment it was made."""

    kinds: np.ndarray
    offsets: np.ndarray
    flat: np.ndarray
    classes: int

    def stages(self, columns: np.ndarray) -> np.ndarray:
        """Every stage of points held as columns, (2, N) float32: (M + 1, max(2, K), N)."""
        return probe_kernel.stages(columns, self.kinds, self.offsets, self.flat, self.classes)

    def regions(
        self, cells: np.ndarray, starts: np.ndarray, firsts: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The winner of each of several grids' cells and the logits less the winner's (see
        :func:`nets.probe_kernel.ride`)."""
        return probe_kernel.ride(
            cells,
            np.asarray(starts, dtype=np.intp),
            np.array(firsts, dtype=np.intp),
            self.kinds,
            self.offsets,
            self.flat,
            self.classes,
        )


def two_wide(net: FoldNet, device: torch.device | str = "cpu") -> TwoWide | None:
    """``net`` for the compiled probe, or None where it does not compute ``net``'s numbers: off
    the CPU, more than :data:`MAX_CLASSES` or fewer than 2 outputs, a layer that is not 2 × 2
    before the classifier, a fold that is not a ReLU, or input features."""
    if not 2 <= net.classes <= MAX_CLASSES or torch.device(device).type != "cpu":
        return None
    if not kernel_is_torch():
        return None
    return _packed(net)


@functools.cache
def kernel_is_torch() -> bool:
    """Whether the compiled probe gives torch's numbers on this machine: every stage of two
    random networks (2 and 3 classes, weights large enough that the folds zero) on random
    points, compared bit for bit (NaN aside). Checked once a process."""
    rng = np.random.default_rng(7)
    for classes in range(2, MAX_CLASSES + 1):
        net = FoldNet((2, 2, 2), "relu", classes=classes, seed=classes)
        with torch.no_grad():
            for p in net.params:
                p.copy_(torch.from_numpy(rng.normal(size=tuple(p.shape)).astype(np.float32) * 3))
        columns = (rng.normal(size=(2, CHECK_POINTS)) * 4).astype(np.float32)
        packed = _packed(net)
        assert packed is not None
        got = packed.stages(columns)
        with torch.no_grad():
            want = [columns, *(t.numpy() for t in net.column_stages(torch.from_numpy(columns)))]
        for stage, expected in zip(got, want, strict=True):
            mine = stage[: len(expected)]
            if not np.array_equal(mine.view(np.uint32), expected.view(np.uint32)):
                log.info("torch's matrix product rounds otherwise here: frames go through torch")
                return False
    return True


def _packed(net: FoldNet) -> TwoWide | None:
    """:func:`two_wide` without the checks of the classes, the device and the machine."""
    modules = list(net.body)
    kinds = np.empty(len(modules), dtype=np.int8)
    offsets = np.zeros(len(modules), dtype=np.intp)
    numbers: list[np.ndarray] = []
    at = 0
    for j, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            weight = module.weight
            if weight.shape[1] != 2 or (j < len(modules) - 1 and weight.shape[0] != 2):
                return None
            kinds[j], offsets[j] = probe_kernel.LINEAR, at
            numbers += (weight.numpy(force=True).reshape(-1), module.bias.numpy(force=True))
            at += 3 * weight.shape[0]
        elif isinstance(module, Fold) and isinstance(module.act, nn.ReLU) and j < len(modules) - 1:
            kinds[j] = probe_kernel.RELU
        else:
            return None
    if kinds[-1] != probe_kernel.LINEAR:
        return None
    flat = np.concatenate(numbers, dtype=np.float32)
    return TwoWide(kinds, offsets, flat, net.classes)
