"""ConvNet: a small convolutional network for 1-D signals and 2-D images, shared or unshared.

A convolution layer is a linear layer whose weights are *shared*: every output position applies
the same small kernel to its own window of the input. ``ConvNet(spec)`` stacks 1 to 4 such
layers (each followed by an activation and optional pooling), pools the last feature maps to
one number per channel (global max or average) or flattens them, and ends in a linear
classifier. ``unshared=True`` builds the same net with *locally connected* layers: the same
windows, but every output position its own weights. Comparing the two isolates what sharing
buys: far fewer parameters, and a detector that works at positions it never saw in training.

Stage ``k`` of a net is ``body[:k](x)``, as for :class:`~nets.model.FoldNet`: stage 0 is the
input, then every layer's output (conv, activation, pooling, readout, logits) in turn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from nets.model import RELU_LIKE, Activation, init_weight, make_activation

Padding = Literal["valid", "same", "full"]
Pool = Literal["none", "max", "avg"]
Readout = Literal["max", "avg", "flatten"]

MAX_LAYERS, MAX_CHANNELS, MAX_STRIDE = 4, 16, 3


def output_size(width: int, kernel: int, padding: int, stride: int = 1, dilation: int = 1) -> int:
    """The standard formula: an input ``width`` wide, padded by ``padding`` on each side, gives
    ``(W + 2P - dilation·(F - 1) - 1) // S + 1`` windows of a kernel ``F`` wide (its taps
    ``dilation`` apart) placed every ``S`` samples."""
    return (width + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad_amounts(mode: Padding, kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) the input along one axis.

    "valid" adds none: only windows wholly inside the input. "full" adds ``dilation·(F-1)`` on
    each side: every window that overlaps the input by one sample. "same" adds half of that in
    all (the extra one after, for an even span), so stride 1 keeps the input's size.
    """
    span = dilation * (kernel - 1)
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return span, span
    if mode == "same":
        return span // 2, span - span // 2
    raise ValueError(f"unknown padding {mode!r}; choose 'valid', 'same' or 'full'")


def padded_output_size(
    width: int, kernel: int, mode: Padding, stride: int = 1, dilation: int = 1
) -> int:
    """:func:`output_size` for a padding mode (whose two sides may differ by one)."""
    before, after = pad_amounts(mode, kernel, dilation)
    return (width + before + after - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True)
class LayerSpec:
    """One conv layer: ``channels`` kernels of ``kernel`` taps (per spatial axis)."""

    channels: int
    kernel: int = 3
    stride: int = 1
    padding: Padding = "same"
    dilation: int = 1


@dataclass(frozen=True)
class ConvSpec:
    """A whole net. ``input_shape`` is the spatial size: ``(length,)`` or ``(height, width)``."""

    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...] = (LayerSpec(4),)
    in_channels: int = 1
    activation: Activation = "relu"
    pool: Pool = "none"  # after every layer's activation: size 2, stride 2
    readout: Readout = "max"
    classes: int = 2
    unshared: bool = False

    @property
    def dims(self) -> int:
        return len(self.input_shape)


@dataclass(frozen=True)
class Geometry:
    """Where a spatial stage sits: its size, its step in input samples (the product of the
    strides so far) and the receptive field of one of its positions, in input samples."""

    shape: tuple[int, ...]
    stride: int
    receptive_field: int


def _check(spec: ConvSpec) -> None:
    if spec.dims not in (1, 2) or min(spec.input_shape) < 1:
        raise ValueError("input_shape must be (length,) or (height, width), each >= 1")
    if not 1 <= len(spec.layers) <= MAX_LAYERS:
        raise ValueError(f"a ConvNet has 1 to {MAX_LAYERS} conv layers")
    for layer in spec.layers:
        if not 1 <= layer.channels <= MAX_CHANNELS or not 1 <= layer.stride <= MAX_STRIDE:
            raise ValueError(f"channels must lie in 1..{MAX_CHANNELS}, stride in 1..{MAX_STRIDE}")
        if layer.kernel < 1 or layer.dilation < 1:
            raise ValueError("kernel and dilation must be >= 1")
    if spec.classes < 1 or spec.in_channels < 1:
        raise ValueError("need at least one input channel and one class")


def geometry(spec: ConvSpec) -> list[Geometry]:
    """The geometry of every spatial stage: the input, then each conv, activation and pool.

    The receptive field grows by ``dilation·(F-1)`` times the current step at every layer; the
    step multiplies by the stride (pooling is a window of 2 with stride 2).
    """
    _check(spec)
    shape, step, field = spec.input_shape, 1, 1
    out = [Geometry(shape, step, field)]
    for layer in spec.layers:
        shape = tuple(
            padded_output_size(w, layer.kernel, layer.padding, layer.stride, layer.dilation)
            for w in shape
        )
        field += layer.dilation * (layer.kernel - 1) * step
        step *= layer.stride
        if min(shape) < 1:
            raise ValueError(f"the input {spec.input_shape} is too small for these layers")
        out += [Geometry(shape, step, field)] * 2  # the conv and its activation
        if spec.pool != "none":
            shape = tuple(w // 2 for w in shape)
            field, step = field + step, step * 2
            if min(shape) < 1:
                raise ValueError(f"the input {spec.input_shape} is too small to pool so often")
            out.append(Geometry(shape, step, field))
    return out


class SharedConv(nn.Module):
    """A convolution layer: one kernel per output channel, applied at every position.

    Cross-correlation, as deep-learning libraries compute it: the output at ``p`` is
    ``sum_k w[k] · x[p·S + k·dilation]`` over the (padded) input, summed over input channels.
    """

    def __init__(self, dims: int, in_channels: int, layer: LayerSpec) -> None:
        super().__init__()
        self.dims, self.layer = dims, layer
        kernel = (layer.kernel,) * dims
        self.weight = nn.Parameter(torch.zeros(layer.channels, in_channels, *kernel))
        self.bias = nn.Parameter(torch.zeros(layer.channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _pad(x, self.dims, self.layer)
        conv = F.conv1d if self.dims == 1 else F.conv2d
        out: torch.Tensor = conv(
            x, self.weight, self.bias, stride=self.layer.stride, dilation=self.layer.dilation
        )
        return out


class LocalConv(nn.Module):
    """A locally connected layer: the windows of :class:`SharedConv`, but every output position
    has its own kernels and bias. Written with ``unfold``: the windows become columns, and each
    position's column meets that position's own weight matrix."""

    def __init__(
        self, dims: int, in_channels: int, layer: LayerSpec, input_shape: tuple[int, ...]
    ) -> None:
        super().__init__()
        self.dims, self.layer = dims, layer
        self.out_shape = tuple(
            padded_output_size(w, layer.kernel, layer.padding, layer.stride, layer.dilation)
            for w in input_shape
        )
        positions = math.prod(self.out_shape)
        taps = in_channels * layer.kernel**dims
        self.weight = nn.Parameter(torch.zeros(positions, layer.channels, taps))
        self.bias = nn.Parameter(torch.zeros(layer.channels, positions))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _pad(x, self.dims, self.layer)
        if self.dims == 1:
            x = x.unsqueeze(2)  # a signal is an image one row high
        kernel = (1, self.layer.kernel) if self.dims == 1 else (self.layer.kernel,) * 2
        dilation = (1, self.layer.dilation) if self.dims == 1 else (self.layer.dilation,) * 2
        stride = (1, self.layer.stride) if self.dims == 1 else (self.layer.stride,) * 2
        columns = F.unfold(x, kernel, dilation=dilation, stride=stride)  # (N, taps, positions)
        out = torch.einsum("ntp,pct->ncp", columns, self.weight) + self.bias
        return out.reshape(x.shape[0], self.layer.channels, *self.out_shape)

    def tie_to(self, shared: SharedConv) -> None:
        """Give every position ``shared``'s kernels and bias: the layer then computes exactly
        what the shared one does, until training unties them."""
        with torch.no_grad():
            self.weight.copy_(shared.weight.reshape(1, self.layer.channels, -1))
            self.bias.copy_(shared.bias[:, None])


def _pad(x: torch.Tensor, dims: int, layer: LayerSpec) -> torch.Tensor:
    before, after = pad_amounts(layer.padding, layer.kernel, layer.dilation)
    return F.pad(x, (before, after) * dims) if before or after else x


class GlobalPool(nn.Module):
    """One number per channel: the largest (max) or mean (avg) value over all positions.

    Global max asks "does this channel's feature occur *anywhere*?": its answer does not
    change when the feature moves, which is what makes a conv net's decision shift-invariant.
    """

    def __init__(self, kind: Literal["max", "avg"]) -> None:
        super().__init__()
        self.kind = kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(2)
        return flat.amax(dim=2) if self.kind == "max" else flat.mean(dim=2)

    def extra_repr(self) -> str:
        return repr(self.kind)


class ConvNet(nn.Module):
    """Conv layers (shared, or locally connected with ``spec.unshared``), each followed by the
    activation and optional pooling, then a readout and a linear classifier.

    Inputs are (N, channels, length) or (N, channels, height, width).
    """

    def __init__(self, spec: ConvSpec, seed: int | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.shapes = geometry(spec)  # checks the spec
        layers: list[nn.Module] = []
        channels, shape = spec.in_channels, spec.input_shape
        for layer in spec.layers:
            conv: nn.Module = (
                LocalConv(spec.dims, channels, layer, shape)
                if spec.unshared
                else SharedConv(spec.dims, channels, layer)
            )
            layers += [conv, make_activation(spec.activation)]
            if spec.pool != "none":
                pool = {1: (nn.MaxPool1d, nn.AvgPool1d), 2: (nn.MaxPool2d, nn.AvgPool2d)}
                maker = pool[spec.dims][0 if spec.pool == "max" else 1]
                layers.append(maker(2))
            channels = layer.channels
            shape = self.shapes[len(layers)].shape
        features = channels
        if spec.readout == "flatten":
            layers.append(nn.Flatten(1))
            features = channels * math.prod(shape)
        else:
            layers.append(GlobalPool(spec.readout))
        layers.append(nn.Linear(features, spec.classes))
        self.body = nn.Sequential(*layers)
        self.reset_parameters(seed)

    def reset_parameters(self, seed: int | None = None) -> None:
        """He (ReLU family) or Glorot initialisation, by fan-in of one window; biases 0.

        A locally connected layer draws every position's kernels afresh, from the same
        distribution as the shared layer's one kernel.
        """
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        relu_like = self.spec.activation in RELU_LIKE
        with torch.no_grad():
            for module in self.body:
                if isinstance(module, SharedConv | nn.Linear):
                    weight = torch.empty(module.weight.shape[0], module.weight[0].numel())
                    init_weight(weight, "auto", relu_like and module is not self.body[-1], gen)
                    module.weight.copy_(weight.reshape(module.weight.shape))
                elif isinstance(module, LocalConv):
                    for position in module.weight:
                        init_weight(position, "auto", relu_like, gen)
                else:
                    continue
                module.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(x)
        return out

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every stage's output for input ``x``: the input, each layer's feature maps (conv,
        activation, pooling), the readout, and the logits."""
        outs = [x]
        for module in self.body:
            outs.append(module(outs[-1]))
        return outs

    def conv_layers(self) -> list[SharedConv | LocalConv]:
        return [m for m in self.body if isinstance(m, SharedConv | LocalConv)]

    def parameter_count(self) -> int:
        """Every trainable number. Sharing makes a conv layer's count independent of the
        input's size; a locally connected layer pays it once per output position."""
        return sum(p.numel() for p in self.parameters())

    def __repr__(self) -> str:
        kind = "unshared" if self.spec.unshared else "shared"
        channels = [layer.channels for layer in self.spec.layers]
        return (
            f"ConvNet({kind}, input={list(self.spec.input_shape)}, channels={channels}, "
            f"pool={self.spec.pool!r}, readout={self.spec.readout!r}, classes={self.spec.classes})"
        )


def conv_parameter_count(spec: ConvSpec) -> int:
    """:meth:`ConvNet.parameter_count` from the spec alone, by the formula: a shared layer has
    ``C_out·(C_in·F^d + 1)`` parameters, a locally connected one that many per position."""
    shapes = geometry(spec)
    total, channels, stage = 0, spec.in_channels, 0
    for layer in spec.layers:
        per_position = layer.channels * (channels * layer.kernel**spec.dims + 1)
        stage += 1
        positions = math.prod(shapes[stage].shape) if spec.unshared else 1
        total += per_position * positions
        stage += 2 if spec.pool != "none" else 1
        channels = layer.channels
    features = channels * (math.prod(shapes[-1].shape) if spec.readout == "flatten" else 1)
    return total + (features + 1) * spec.classes
