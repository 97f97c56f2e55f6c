"""FoldNet: a stack of affine maps and folds (activations), ending in a linear classifier.

The body is one ``nn.Sequential``: ``[Linear, Act, Linear, Act, ..., Linear]``. Stage ``k`` of
the network is ``net[:k](x)``: stage 0 is the input plane, stage ``2i-1`` is hidden layer ``i``'s
affine map ``W_i x + b_i``, stage ``2i`` its fold, and the last stage is the classifier's logits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

Activation = Literal["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
ACTIVATIONS: tuple[Activation, ...] = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
StageKind = Literal["input", "affine", "fold", "output"]


def make_activation(name: Activation) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(0.1)
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "linear":
        return nn.Identity()
    raise ValueError(f"unknown activation {name!r}; choose one of {list(ACTIVATIONS)}")


@dataclass(frozen=True)
class Stage:
    """What stage ``index`` of a FoldNet is: its kind, its hidden layer (1-based) and width."""

    index: int
    kind: StageKind
    layer: int
    width: int


class FoldNet(nn.Module):
    """Input (2D) -> hidden layers of ``widths[i]`` units -> ``classes`` logits."""

    def __init__(
        self,
        widths: Sequence[int] = (2, 2, 2, 2),
        activation: Activation = "relu",
        classes: int = 2,
        in_features: int = 2,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        if any(w < 1 for w in widths) or classes < 2 or in_features < 1:
            raise ValueError("FoldNet needs every width >= 1 and classes >= 2")
        self.widths, self.activation = tuple(widths), activation
        self.classes, self.in_features = classes, in_features
        layers: list[nn.Module] = []
        fan_in = in_features
        for width in self.widths:
            layers += [nn.Linear(fan_in, width), make_activation(activation)]
            fan_in = width
        layers.append(nn.Linear(fan_in, classes))
        self.body = nn.Sequential(*layers)
        self.reset_parameters(seed)

    def reset_parameters(self, seed: int | None = None) -> None:
        """Initialise to suit the activation: He for the ReLU family, Glorot otherwise.

        Hidden biases of ReLU layers start slightly positive, so that fewer points start dead.
        """
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        relu_like = self.activation in ("relu", "leaky_relu")
        with torch.no_grad():
            for i, module in enumerate(self.body):
                if not isinstance(module, nn.Linear):
                    continue
                fan_in, fan_out = module.in_features, module.out_features
                hidden = i < len(self.body) - 1
                if relu_like and hidden:
                    std = math.sqrt(2.0 / fan_in)
                else:
                    std = math.sqrt(2.0 / (fan_in + fan_out))
                module.weight.copy_(torch.randn(module.weight.shape, generator=gen) * std)
                module.bias.fill_(0.1 if (relu_like and hidden) else 0.0)

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
        for k, module in enumerate(self.body, start=1):
            layer = (k + 1) // 2
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

    def __repr__(self) -> str:
        return (
            f"FoldNet(widths={list(self.widths)}, activation={self.activation!r}, "
            f"classes={self.classes})"
        )
