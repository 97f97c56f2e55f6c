"""Weight sharing as a parameter transformation ``w = H(u)``, and what it buys.

A 1-D conv layer *is* a linear layer ``y = W x``: its matrix ``W`` is banded (Toeplitz), each
row a copy of the kernel ``u`` moved one stride along. :func:`toeplitz` builds ``W`` from ``u``
and says which kernel weight every entry copies. Because ``W = H(u)`` copies, the chain rule
makes the gradient of a kernel weight the *sum* of the gradients of its copies
(:func:`shared_gradient`). Sharing also makes the layer commute with shifts (equivariance),
and a global pool after it forget where a feature was (invariance): :func:`shift_errors`
measures both for any :class:`~nets.conv.ConvNet`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from nets.conv import ConvNet, output_size

FloatArray = np.ndarray

# ----------------------------------------------------------------------- classic kernels

#: Difference of the neighbours: 0 on a constant signal, large at a step (an edge).
EDGE_1D = np.array([-1.0, 0.0, 1.0], dtype=np.float32)
#: Binomial smoothing: weights sum to 1, so a constant signal passes unchanged.
BLUR_1D = np.array([0.25, 0.5, 0.25], dtype=np.float32)
#: The sample minus the neighbours' excess: sums to 1, and exaggerates every change.
SHARPEN_1D = np.array([-1.0, 3.0, -1.0], dtype=np.float32)
#: Sobel: a horizontal difference smoothed vertically; it finds vertical edges.
EDGE_2D = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=np.float32)
#: The same turned a quarter: it finds horizontal edges.
EDGE_2D_Y = EDGE_2D.T.copy()
BLUR_2D = np.outer(BLUR_1D, BLUR_1D).astype(np.float32)
SHARPEN_2D = np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]], dtype=np.float32)

KERNELS_1D: dict[str, FloatArray] = {"edge": EDGE_1D, "blur": BLUR_1D, "sharpen": SHARPEN_1D}
KERNELS_2D: dict[str, FloatArray] = {
    "edge": EDGE_2D,
    "edge_y": EDGE_2D_Y,
    "blur": BLUR_2D,
    "sharpen": SHARPEN_2D,
}

# ---------------------------------------------------------------- the Toeplitz matrix H(u)


def sharing_map(
    kernel_shape: Sequence[int], length: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> torch.Tensor:
    """Which kernel weight every entry of the layer's matrix copies (-1: a structural zero).

    ``kernel_shape`` is ``(F,)`` for one channel or ``(C_out, C_in, F)``; the matrix maps a
    signal flattened channel by channel, ``(C_in·L,)``, to ``(C_out·L_out,)``, and the map
    indexes the kernel flattened the same way. Output ``p`` of channel ``o`` reads input
    ``j = p·S - P + k·dilation`` of channel ``i`` through weight ``(o, i, k)``; a ``j`` in the
    padding reads a zero, so that entry simply drops out.
    """
    c_out, c_in, taps = (1, 1, kernel_shape[0]) if len(kernel_shape) == 1 else kernel_shape
    l_out = output_size(length, taps, padding, stride, dilation)
    if l_out < 1:
        raise ValueError("the kernel does not fit the signal")
    o, i, p, k = np.meshgrid(
        np.arange(c_out), np.arange(c_in), np.arange(l_out), np.arange(taps), indexing="ij"
    )
    j = p * stride - padding + k * dilation
    inside = (j >= 0) & (j < length)
    index = np.full((c_out * l_out, c_in * length), -1, dtype=np.int64)
    rows, cols = (o * l_out + p)[inside], (i * length + j)[inside]
    index[rows, cols] = ((o * c_in + i) * taps + k)[inside]
    return torch.from_numpy(index)


def expand(kernel: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``H(u)``: the matrix whose entries copy ``kernel``'s weights as ``index`` says.

    Differentiable in ``kernel``: autograd through it adds up the gradients of the copies.
    """
    flat = kernel.reshape(-1)
    return torch.where(index >= 0, flat[index.clamp(min=0)], torch.zeros((), dtype=flat.dtype))


def toeplitz(
    kernel: torch.Tensor, length: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """The banded matrix ``W`` of a 1-D conv layer, and its :func:`sharing_map`.

    For a ``(F,)`` kernel, ``W @ x == F.conv1d(x[None, None], kernel[None, None], ...)`` for a
    signal ``x`` of ``length``; for ``(C_out, C_in, F)``, ``W @ x.reshape(-1)`` is the
    conv's ``(C_out, L_out)`` output flattened.
    """
    index = sharing_map(tuple(kernel.shape), length, stride, padding, dilation)
    return expand(kernel, index), index


# --------------------------------------------------------------- the gradient of a shared w


@dataclass(frozen=True)
class SharedGradient:
    """The gradient of every entry of ``W`` (a plain linear layer's view), the sum of those
    per kernel weight, and the kernel's gradient as torch's conv layer computes it."""

    entries: torch.Tensor  # like W
    summed: torch.Tensor  # like the kernel
    conv: torch.Tensor  # like the kernel


def shared_gradient(
    kernel: torch.Tensor,
    signal: torch.Tensor,
    loss: Callable[[torch.Tensor], torch.Tensor],
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> SharedGradient:
    """The loss's gradient two ways, for a ``(C_out, C_in, F)`` kernel and ``(N, C_in, L)``
    signals: once treating ``W`` as a free linear layer and summing each weight's copies,
    once through ``F.conv1d``. ``loss`` takes the ``(N, C_out, L_out)`` output to a scalar."""
    n, c_in, length = signal.shape
    index = sharing_map(tuple(kernel.shape), length, stride, padding, dilation)
    matrix = expand(kernel.detach(), index).requires_grad_(True)
    out = (signal.reshape(n, c_in * length) @ matrix.T).reshape(n, kernel.shape[0], -1)
    (entries,) = torch.autograd.grad(loss(out), matrix)
    copies = index >= 0
    summed = torch.zeros(kernel.numel(), dtype=entries.dtype)
    summed.index_add_(0, index[copies], entries[copies])
    leaf = kernel.detach().clone().requires_grad_(True)
    conv_out = F.conv1d(signal, leaf, stride=stride, padding=padding, dilation=dilation)
    (conv,) = torch.autograd.grad(loss(conv_out), leaf)
    return SharedGradient(entries, summed.reshape(kernel.shape), conv)


# ------------------------------------------------------- convolution and cross-correlation


def convolve1d(signal: FloatArray, kernel: FloatArray) -> FloatArray:
    """True convolution by its definition, ``y[n] = sum_k h[k] · x[n - k]``, every ``n`` where
    the two overlap (length ``L + F - 1``): the kernel runs *backwards* over the signal."""
    x, h = np.asarray(signal, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    y = np.zeros(len(x) + len(h) - 1)
    for k, weight in enumerate(h):
        y[k : k + len(x)] += weight * x
    return y


def cross_correlate1d(signal: FloatArray, kernel: FloatArray) -> FloatArray:
    """What a conv layer computes, ``y[n] = sum_k h[k] · x[n + k]``, over the same overlaps
    as :func:`convolve1d`: the kernel runs *forwards*, a template slid along the signal."""
    x, h = np.asarray(signal, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    padded = np.concatenate([np.zeros(len(h) - 1), x, np.zeros(len(h) - 1)])
    return np.array([h @ padded[n : n + len(h)] for n in range(len(x) + len(h) - 1)])


def convolve(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """True convolution for 1-D ``(N, C, L)`` or 2-D ``(N, C, H, W)`` inputs, "full" size:
    cross-correlation with the kernel flipped along every spatial axis."""
    spatial = tuple(range(2, kernel.ndim))
    flipped = kernel.flip(spatial)
    pad = [kernel.shape[d] - 1 for d in spatial]
    conv = F.conv1d if len(spatial) == 1 else F.conv2d
    out: torch.Tensor = conv(x, flipped, padding=pad)
    return out


# ------------------------------------------------------------- equivariance and invariance


def shift(x: torch.Tensor, by: Sequence[int]) -> torch.Tensor:
    """``x`` moved ``by[d]`` samples along its ``d``-th trailing axis (positive: towards the
    end), with zeros filling what is uncovered and what falls off the end lost.

    Zero fill, not wrapping round: a pattern really moves across a signal or an image this
    way, and the borders are then the one place a conv layer's equivariance can break.
    """
    out = torch.zeros_like(x)
    src: list[slice] = []
    dst: list[slice] = []
    for axis, s in enumerate(by):
        size = x.shape[x.ndim - len(by) + axis]
        if abs(s) >= size:
            return out
        src.append(slice(0, size - s) if s >= 0 else slice(-s, size))
        dst.append(slice(s, size) if s >= 0 else slice(0, size + s))
    lead = (slice(None),) * (x.ndim - len(by))
    out[(*lead, *dst)] = x[(*lead, *src)]
    return out


@dataclass(frozen=True)
class StageShift:
    """How a stage responds to shifting the input: its equivariance error (None where the
    shift is not a whole number of this stage's steps, or leaves no interior to compare)."""

    stage: int
    error: float | None


@dataclass(frozen=True)
class ShiftReport:
    """Equivariance error of every spatial stage, and the invariance error of the readout."""

    stages: list[StageShift]
    invariance: float


def _relative(diff: torch.Tensor, ref: torch.Tensor) -> float:
    scale = float(ref.abs().max()) if ref.numel() else 0.0
    return float(diff.abs().max()) / max(scale, 1e-12) if diff.numel() else 0.0


def _interior(shape: Sequence[int], by: Sequence[int], margin: int) -> tuple[slice, ...] | None:
    """The positions of a map where neither its borders nor the zero-filled band reach."""
    out = []
    for size, s in zip(shape, by, strict=True):
        lo, hi = margin + max(s, 0), size - margin + min(s, 0)
        if lo >= hi:
            return None
        out.append(slice(lo, hi))
    return tuple(out)


def shift_errors(net: ConvNet, x: torch.Tensor, by: int | Sequence[int]) -> ShiftReport:
    """Compare the net on ``x`` shifted by ``by`` with the net's maps of ``x`` shifted.

    A spatial stage with step ``r`` (the product of the strides before it) should move by
    ``by / r``: its equivariance error is ``max |f(shift x) - shift f(x)|`` relative to
    ``max |f(x)|``, over positions at least one receptive field (in the stage's own steps) away
    from the borders and the zero-filled band. The invariance error is the same relative
    difference of the readout (global pool or flatten) with no shift applied to it.
    """
    offsets = [by] if isinstance(by, int) else list(by)
    if len(offsets) != net.spec.dims:
        raise ValueError(f"give one shift per spatial axis ({net.spec.dims})")
    with torch.no_grad():
        plain, moved = net.stages(x), net.stages(shift(x, offsets))
    report = []
    for k, geo in enumerate(net.shapes):
        if any(s % geo.stride for s in offsets):
            report.append(StageShift(k, None))
            continue
        steps = [s // geo.stride for s in offsets]
        margin = -(-geo.receptive_field // geo.stride)
        region = _interior(geo.shape, steps, margin)
        if region is None:
            report.append(StageShift(k, None))
            continue
        where = (slice(None), slice(None), *region)
        expected = shift(plain[k], steps)[where]
        report.append(StageShift(k, _relative(moved[k][where] - expected, expected)))
    readout = len(net.shapes)  # the stage after the last spatial one
    invariance = _relative(moved[readout] - plain[readout], plain[readout])
    return ShiftReport(report, invariance)
