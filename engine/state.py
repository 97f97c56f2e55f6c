"""A session's state at one instant, as plain data, and a frame drawn from it anywhere.

A :class:`SessionState` is copied out of a session under its lock in a few tens of microseconds;
:func:`draw` then builds the frame without the lock, in this process or in another one (it
pickles small: the weights, the points and the view). Drawing in other processes is what lets
a class of sessions use every core: one Python process draws and trains on one core at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch

from engine.arrays import FrameArrays, compute_frame
from engine.projections import ViewMemory
from engine.schemas import ViewConfig
from nets.model import Activation, FoldNet, Init
from nets.probe import Extent
from nets.train import LayerStats, Metrics, Unscored

#: Networks a drawing process keeps built, by shape (building one costs more than a frame).
KEPT_NETS = 32


@dataclass(frozen=True)
class NetShape:
    """What a FoldNet is made of, less its numbers."""

    widths: tuple[int, ...]
    activation: Activation
    classes: int
    in_features: int
    init: Init
    dropout: float
    features: tuple[str, ...]

    @classmethod
    def of(cls, net: FoldNet) -> NetShape:
        return cls(
            net.widths,
            net.activation,
            net.classes,
            net.in_features,
            net.init,
            net.dropout,
            net.features,
        )

    def build(self) -> FoldNet:
        return FoldNet(
            self.widths,
            self.activation,
            self.classes,
            self.in_features,
            init=self.init,
            dropout=self.dropout,
            features=self.features,
        )


@dataclass
class SessionState:
    shape: NetShape
    params: list[np.ndarray]  # in the order of net.parameters()
    x: np.ndarray  # every point, the training set first
    labels: np.ndarray
    n_train: int
    extent: Extent
    view: ViewConfig
    memory: ViewMemory
    metrics: Metrics | Unscored
    stats: LayerStats | None
    generation: int

    @classmethod
    def take(cls, net: FoldNet, **fields: object) -> SessionState:
        """The state of ``net`` (its weights copied) and ``fields``."""
        params = [p.numpy(force=True).copy() for p in net.params]
        return cls(shape=NetShape.of(net), params=params, **fields)  # type: ignore[arg-type]


_nets: OrderedDict[NetShape, FoldNet] = OrderedDict()


def holding(state: SessionState, net: FoldNet | None = None) -> FoldNet:
    """``net`` holding the state's weights; a new CPU network if ``net`` is None or of
    another shape."""
    if net is None or NetShape.of(net) != state.shape:
        net = state.shape.build()
    with torch.no_grad():
        for param, value in zip(net.params, state.params, strict=True):
            param.copy_(torch.from_numpy(value))
    return net


def _net_for(state: SessionState) -> FoldNet:
    """A CPU network of the state's shape, holding its weights (kept between frames)."""
    net = _nets[state.shape] = holding(state, _nets.pop(state.shape, None))
    while len(_nets) > KEPT_NETS:
        _nets.popitem(last=False)
    return net


def render(net: FoldNet, state: SessionState) -> bytes:
    """The binary frame of ``state``, probed with ``net`` (see :func:`compute`)."""
    return compute(net, state).encode()


def compute(net: FoldNet, state: SessionState) -> FrameArrays:
    """The exact arrays of ``state``'s frame, probed with ``net`` (a CPU network holding its
    weights): frames are drawn on the CPU wherever the session trains."""
    return compute_frame(
        net=net,
        x=state.x,
        labels=state.labels,
        n_train=state.n_train,
        extent=state.extent,
        view=state.view,
        memory=state.memory,
        metrics=state.metrics,
        stats=state.stats,
        generation=state.generation,
        device=torch.device("cpu"),
    )


def draw(state: SessionState) -> tuple[bytes, ViewMemory]:
    """The frame of ``state`` (on the CPU), and the view memory the next frame builds on.
    Not thread-safe (networks are reused): one call at a time per process."""
    return render(_net_for(state), state), state.memory


def ready() -> bool:
    """A drawing process answers once it has imported all it needs."""
    torch.set_num_threads(1)
    return True
