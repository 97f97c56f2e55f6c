"""Input features, as in TensorFlow Playground: the network may see more than (x1, x2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, get_args

import torch
from torch import nn

Feature = Literal["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
FEATURES: tuple[Feature, ...] = get_args(Feature)
PLAIN: tuple[Feature, ...] = ("x1", "x2")

_MAKERS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: torch.sin(a),
    "sin(x2)": lambda a, b: torch.sin(b),
}


class Features(nn.Module):
    """Maps points (N, 2) to the chosen features (N, len(names)), in the order given."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        unknown = [n for n in names if n not in _MAKERS]
        if unknown or not names or len(set(names)) != len(names):
            raise ValueError(
                f"features must be distinct names from {list(FEATURES)}, not {list(names)}")
        self.names = tuple(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x[:, 0], x[:, 1]
        return torch.stack([_MAKERS[n](a, b) for n in self.names], dim=1)

    def __repr__(self) -> str:
        return f"Features({list(self.names)})"
