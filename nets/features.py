"""Input features, as in TensorFlow Playground: the network may see more than (x1, x2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, get_args

import torch
from torch import nn

Feature = Literal["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
FEATURES: tuple[Feature, ...] = get_args(Feature)
PLAIN: tuple[Feature, ...] = ("x1", "x2")

#: Each feature as a formula over the point's coordinates (0 is x1, 1 is x2): ``("x", i)`` the
#: coordinate itself, ``("mul", i, j)`` a product, ``("sin", i)`` a sine. The page evaluates the
#: same formulas (GET /api/schema) to draw the features over the input plane.
FORMULAS: dict[Feature, tuple[str, int] | tuple[str, int, int]] = {
    "x1": ("x", 0),
    "x2": ("x", 1),
    "x1^2": ("mul", 0, 0),
    "x2^2": ("mul", 1, 1),
    "x1*x2": ("mul", 0, 1),
    "sin(x1)": ("sin", 0),
    "sin(x2)": ("sin", 1),
}

_OPS: dict[str, Callable[..., torch.Tensor]] = {
    "x": lambda a: a,
    "mul": lambda a, b: a * b,
    "sin": torch.sin,
}


def evaluate(name: str, x: torch.Tensor) -> torch.Tensor:
    """Feature ``name`` of points ``x`` (N, 2): (N,)."""
    op, *args = FORMULAS[name]  # type: ignore[index]
    return _OPS[op](*(x[:, i] for i in args))


class Features(nn.Module):
    """Maps points (N, 2) to the chosen features (N, len(names)), in the order given."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        unknown = [n for n in names if n not in FORMULAS]
        if unknown or not names or len(set(names)) != len(names):
            raise ValueError(
                f"features must be distinct names from {list(FEATURES)}, not {list(names)}"
            )
        self.names = tuple(names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([evaluate(n, x) for n in self.names], dim=1)

    def __repr__(self) -> str:
        return f"Features({list(self.names)})"
