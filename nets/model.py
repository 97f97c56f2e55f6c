"""FoldNet: a stack of affine maps and folds (activations), ending in a linear classifier.

The body is one ``nn.Sequential``: ``[Linear, Fold, Linear, Fold, ..., Linear]``. Stage ``k`` of
the network is ``net[:k](x)``: stage 0 is the input plane, stage ``2i-1`` is hidden layer ``i``'s
affine map ``W_i x + b_i``, stage ``2i`` its fold, and the last stage is the classifier's logits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import torch
from torch import nn

from nets.features import PLAIN, Features

Activation = Literal["relu", "leaky_relu", "elu", "gelu", "softplus", "tanh", "sigmoid", "linear"]
ACTIVATIONS: tuple[Activation, ...] = get_args(Activation)
Init = Literal["auto", "uniform", "gaussian", "glorot", "he", "zero"]
INITS: tuple[Init, ...] = get_args(Init)
StageKind = Literal["input", "features", "affine", "fold", "output"]
RELU_LIKE = frozenset({"relu", "leaky_relu", "elu", "gelu", "softplus"})


#: The constants of the activations (docs/protocol.md states them for clients): leaky ReLU's
#: slope below 0, ELU's alpha, softplus's beta (log(1 + e^(beta z)) / beta, linear past
#: beta z = 20), and GELU's form ("none": the exact z·Φ(z) with the error function, not the
#: tanh approximation).
LEAKY_SLOPE = 0.1
ELU_ALPHA = 1.0
SOFTPLUS_BETA = 1.0
SOFTPLUS_THRESHOLD = 20.0
GELU_APPROXIMATE = "none"


def make_activation(name: Activation) -> nn.Module:
    makers: dict[str, Callable[[], nn.Module]] = {
        "relu": nn.ReLU,
        "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
        "elu": lambda: nn.ELU(ELU_ALPHA),
        "gelu": lambda: nn.GELU(approximate=GELU_APPROXIMATE),
        "softplus": lambda: nn.Softplus(SOFTPLUS_BETA, SOFTPLUS_THRESHOLD),
        "tanh": nn.Tanh,
        "sigmoid": nn.Sigmoid,
        "linear": nn.Identity,
    }
    if name not in makers:
        raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATIONS)}")
    return makers[name]()


class Fold(nn.Module):
    """A layer's fold: the activation, then dropout while training (identity when probed)."""

    def __init__(self, activation: Activation, dropout: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError("dropout must lie in [0, 1)")
        self.name = activation
        self.act = make_activation(activation)
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.drop(self.act(z))
        return out

    def __repr__(self) -> str:
        return f"Fold({self.name!r})"


@dataclass(frozen=True)
class Stage:
    """What stage ``index`` of a FoldNet is: its kind, its hidden layer (1-based) and width."""

    index: int
    kind: StageKind
    layer: int
    width: int


class FoldNet(nn.Module):
    """Input (2D) -> hidden layers of ``widths[i]`` units -> ``classes`` outputs.

    ``classes`` is the number of logits; 1 makes a regression net with one linear output.
    """

    def __init__(
        self,
        widths: Sequence[int] = (2, 2, 2, 2),
        activation: Activation = "relu",
        classes: int = 2,
        in_features: int = 2,
        seed: int | None = None,
        init: Init = "auto",
        dropout: float = 0.0,
        features: Sequence[str] = PLAIN,
    ) -> None:
        super().__init__()
        if any(w < 1 for w in widths) or classes < 1 or in_features < 1:
            raise ValueError("FoldNet needs every width >= 1 and at least one output (classes)")
        if init not in INITS:
            raise ValueError(f"unknown initialisation {init!r}; choose one of {list(INITS)}")
        self.widths, self.activation = tuple(widths), activation
        self.classes, self.in_features = classes, in_features
        self.init, self.dropout = init, dropout
        self.features = tuple(features)
        layers: list[nn.Module] = []
        fan_in = in_features
        if self.features != PLAIN:
            layers.append(Features(self.features))
            fan_in = len(self.features)
        for width in self.widths:
            layers += [nn.Linear(fan_in, width), Fold(activation, dropout)]
            fan_in = width
        layers.append(nn.Linear(fan_in, classes))
        self.body = nn.Sequential(*layers)
        #: Every parameter, in the order ``parameters()`` gives them (which walks the modules
        #: each time: a frame reads them from here). The parameters are never replaced, only
        #: their values (``load_state_dict`` copies in; the fused path rebinds ``.data``).
        self.params: tuple[nn.Parameter, ...] = tuple(self.parameters())
        self.reset_parameters(seed)

    def reset_parameters(self, seed: int | None = None) -> None:
        """Initialise by ``self.init``.

        ``auto`` suits the activation: He for the ReLU family, Glorot otherwise, and hidden
        biases of ReLU-like layers start slightly positive, so that fewer points start dead.
        ``zero`` sets everything to 0: every unit of a layer stays the same forever.
        """
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        relu_like = self.activation in RELU_LIKE
        with torch.no_grad():
            for i, module in enumerate(self.body):
                if not isinstance(module, nn.Linear):
                    continue
                hidden = i < len(self.body) - 1
                weight = torch.empty(module.weight.shape)
                init_weight(weight, self.init, relu_like and hidden, gen)
                module.weight.copy_(weight)
                module.bias.fill_(0.1 if (self.init == "auto" and relu_like and hidden) else 0.0)

    def linear(self, layer: int) -> nn.Linear:
        """The Linear map of hidden layer ``layer`` (1-based); ``depth + 1`` is the classifier."""
        linears = [m for m in self.body if isinstance(m, nn.Linear)]
        if not 1 <= layer <= len(linears):
            raise IndexError(f"layer {layer} does not exist (1 to {len(linears)})")
        return linears[layer - 1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.body(x)
        return out

    def __getitem__(self, idx: slice) -> nn.Sequential:
        """``net[:k]`` is the network up to stage ``k``, as an ``nn.Sequential``."""
        part = self.body[idx]
        assert isinstance(part, nn.Sequential)
        return part

    def __len__(self) -> int:
        return len(self.body)

    @property
    def depth(self) -> int:
        return len(self.widths)

    @property
    def n_stages(self) -> int:
        return len(self.body) + 1

    def stage_info(self) -> list[Stage]:
        info = [Stage(0, "input", 0, self.in_features)]
        layer = 0
        for k, module in enumerate(self.body, start=1):
            if isinstance(module, Features):
                info.append(Stage(k, "features", 0, len(self.features)))
                continue
            if isinstance(module, nn.Linear):
                layer += 1
            if k == len(self.body):
                info.append(Stage(k, "output", layer, self.classes))
            else:
                kind: StageKind = "affine" if isinstance(module, nn.Linear) else "fold"
                info.append(Stage(k, kind, layer, self.widths[layer - 1]))
        return info

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every stage's output for input ``x``: ``[x, net[:1](x), ..., net(x)]``."""
        outs = [x]
        for module in self.body:
            outs.append(module(outs[-1]))
        return outs

    def column_stages(
        self, columns: torch.Tensor, start: int = 0, stop: int | None = None
    ) -> list[torch.Tensor]:
        """Stages ``start + 1`` to ``stop`` for points held as columns: ``columns`` is stage
        ``start``'s output transposed, (width, N), and so is each tensor returned. The numbers
        of ``body`` in eval mode (no dropout), many times faster for narrow layers: each matrix
        product runs along the long axis of N points instead of the short one of 2 units."""
        outs: list[torch.Tensor] = []
        for module in list(self.body)[start:stop]:
            if isinstance(module, nn.Linear):
                columns = torch.addmm(module.bias[:, None], module.weight, columns)
            elif isinstance(module, Fold):
                columns = module.act(columns)  # an activation acts on each number alone
            else:  # input features are made from rows
                columns = module(columns.T).T.contiguous()
            outs.append(columns)
        return outs

    def columnwise(self, x: torch.Tensor) -> torch.Tensor:
        """The network's output for points ``x`` held as rows, (N, inputs), worked out with
        :meth:`column_stages` (no dropout): (N, outputs)."""
        return self.column_stages(x.T.contiguous())[-1].T

    def __repr__(self) -> str:
        return (
            f"FoldNet(widths={list(self.widths)}, activation={self.activation!r}, "
            + (f"features={list(self.features)}, " if self.features != PLAIN else "")
            + f"classes={self.classes})"
        )


def init_weight(
    weight: torch.Tensor, scheme: Init, relu_like: bool, gen: torch.Generator | None
) -> None:
    """Fill ``weight`` (out, in) by ``scheme``; ``auto`` picks He or Glorot by ``relu_like``."""
    fan_out, fan_in = weight.shape
    if scheme == "auto":
        scheme = "he" if relu_like else "glorot"
    if scheme == "zero":
        weight.zero_()
    elif scheme == "uniform":
        weight.copy_(torch.rand(weight.shape, generator=gen) - 0.5)  # U(-0.5, 0.5)
    elif scheme == "gaussian":
        weight.copy_(torch.randn(weight.shape, generator=gen) * 0.5)
    elif scheme == "he":
        weight.copy_(torch.randn(weight.shape, generator=gen) * math.sqrt(2.0 / fan_in))
    else:  # glorot
        std = math.sqrt(2.0 / (fan_in + fan_out))
        weight.copy_(torch.randn(weight.shape, generator=gen) * std)


def transplant(old: FoldNet, new: FoldNet) -> list[int]:
    """Copy into ``new`` every layer of ``old`` whose shape it kept: hidden layer i to hidden
    layer i, classifier to classifier. Returns the layers copied (1-based; the classifier is
    ``new.depth + 1``)."""
    pairs = [(i, i) for i in range(1, min(old.depth, new.depth) + 1)]
    pairs.append((old.depth + 1, new.depth + 1))
    copied = []
    with torch.no_grad():
        for i, j in pairs:
            source, target = old.linear(i), new.linear(j)
            if source.weight.shape == target.weight.shape:
                target.weight.copy_(source.weight)
                target.bias.copy_(source.bias)
                copied.append(j)
    return copied
