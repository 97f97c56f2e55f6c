"""One browser tab's experiment: its config, data, network and trainer, and its frames.

Everything here is synchronous torch/numpy work; the WebSocket layer calls it from a worker
thread, one call at a time per session (the session's lock makes that so).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from engine.arrays import FrameArrays
from engine.caps import Caps
from engine.errors import Refused
from engine.pointundo import PointHistory, PointsBefore
from engine.projections import ViewMemory
from engine.schemas import ExperimentConfig, TrainConfig
from engine.state import SessionState, compute, holding
from nets.datasets import Dataset, make_dataset
from nets.editing import BadData, empty
from nets.model import FoldNet, transplant
from nets.probe import Extent, square_extent
from nets.train import MAX_STEP, Metrics, Recipe, StepLimit, Trainer, Unscored


class Session:
    """The state behind one tab. Not thread-safe by itself: hold ``lock`` around calls."""

    _metrics: Metrics | None

    def __init__(
        self,
        config: ExperimentConfig,
        device: torch.device,
        caps: Caps | None = None,
        session_id: str | None = None,
    ) -> None:
        self.caps = caps or Caps()
        self.caps.check(config)
        self.id = session_id or uuid.uuid4().hex[:12]
        self.lock = threading.Lock()
        self.device = device
        self.config = config
        self.generation = 0
        self.running = False
        self.custom: Dataset | None = None
        self.point_history = PointHistory()  # what the points were before each hand edit
        self.on_change: Callable[[], None] | None = None  # a change from outside the socket
        self._views = ViewMemory()
        self._cpu_net: FoldNet | None = None  # what frames are drawn with off the CPU
        self._build_data()
        self._build_net()

    # -- building -------------------------------------------------------------------------
    def _build_data(self) -> None:
        d = self.config.data
        if d.dataset == "custom":
            custom = self.custom or empty(d.classes)
            classes = max(d.classes, int(custom.y.max()) + 1 if len(custom.y) else 0)
            data = replace(custom, n_classes=classes)
        else:
            data = make_dataset(
                d.dataset, d.points, d.noise, d.seed, d.classes, d.test_ratio, d.turns
            )
        self._set_data(data)
        self.extent: Extent = square_extent(self.x_all)

    def _set_data(self, data: Dataset) -> None:
        self.data = data
        self.x_all = data.x
        self.labels = data.y.astype(np.float32 if data.regression else np.uint8)

    def edit_data(self, edit: Callable[[Dataset], Dataset]) -> None:
        """Apply a hand edit to the points; the network and its training go on.

        The data becomes the ``custom`` dataset. A refused edit changes nothing.
        """
        try:
            data = edit(self.data)
        except BadData as exc:
            raise Refused(str(exc)) from None
        most = self.caps.max_points
        if len(data.y) > most and len(data.y) > len(self.data.y):
            raise Refused(
                f"the data holds its maximum of {most} points; remove some first",
                "points",
                f"up to {most}",
            )
        self.point_history.push(PointsBefore(self.config.data, self.data, self.custom, self.extent))
        self.custom = data
        if self.config.data.dataset != "custom":
            changed = self.config.data.model_copy(
                update={"dataset": "custom", "classes": data.n_classes}
            )
            self.config = self.config.model_copy(update={"data": changed})
        self._install_data(data)
        outside = square_extent(self.x_all)
        if outside[1] > self.extent[1]:  # grow the view only when a point falls outside it
            self.extent = outside

    def undo_points(self) -> None:
        """Take back the last hand edit of the points: the points exactly as they were and the
        data config with them (a preset comes back by its name). The network stays."""
        before = self.point_history.pop()
        if before is None:
            raise Refused("there is no change of the points to undo")
        self.config = self.config.model_copy(update={"data": before.config})
        self.custom = before.custom
        self._install_data(before.data)
        self.extent = before.extent

    def _install_data(self, data: Dataset) -> None:
        """Train on ``data`` from now on (the network and its optimizer state stay)."""
        self._set_data(data)
        self.trainer.set_data(data)
        self._metrics = None

    def _build_net(self, keep_from: FoldNet | None = None) -> None:
        """A new network from the config; with ``keep_from``, its layers of unchanged shape."""
        m, t = self.config.model, self.config.train
        seed = self.config.data.seed
        net = FoldNet(
            m.hidden,
            m.activation,
            self.data.n_classes,
            seed=seed,
            init=m.init,
            dropout=m.dropout,
            features=m.features,
        )
        if keep_from is not None:
            transplant(keep_from, net)  # copies across devices; the live net stays where it is
        self.trainer = Trainer(net, self.data, recipe_of(t), seed=seed, device=self.device)
        self.generation += 1
        self._metrics = None

    @property
    def net(self) -> FoldNet:
        return self.trainer.net

    def configure(self, config: ExperimentConfig) -> None:
        """Adopt ``config``, rebuilding only what its changes touch (refused past a cap)."""
        self.caps.check(config)
        old, self.config = self.config, config
        if config.data != old.data:
            self.point_history.clear()  # undo goes back through point edits, not other data
            self._build_data()
            self._build_net()
        elif config.model != old.model:
            same_init = config.model.init == old.model.init
            self._build_net(keep_from=self.net if same_init else None)
        elif config.train != old.train:
            self.trainer.set_recipe(recipe_of(config.train))

    def _linear(self, layer: int) -> torch.nn.Linear:
        depth = self.net.depth
        if not 1 <= layer <= depth + 1:
            raise Refused(f"layer {layer} does not exist", "layer", f"from 1 up to {depth + 1}")
        return self.net.linear(layer)

    def set_layer(
        self, layer: int, weight: list[list[float]] | None, bias: list[float] | None
    ) -> None:
        """Set a layer's whole weight matrix and/or bias by hand (shapes must match)."""
        linear = self._linear(layer)
        outs, ins = linear.weight.shape
        if weight is not None and (len(weight) != outs or any(len(r) != ins for r in weight)):
            raise Refused(
                f"layer {layer}'s weight is {outs}x{ins}", "weight", f"{outs} rows of {ins} numbers"
            )
        if bias is not None and len(bias) != outs:
            raise Refused(f"layer {layer} has {outs} units", "bias", f"{outs} numbers")
        with torch.no_grad():
            if weight is not None:
                linear.weight.copy_(torch.tensor(weight, dtype=linear.weight.dtype))
            if bias is not None:
                linear.bias.copy_(torch.tensor(bias, dtype=linear.bias.dtype))
        self._metrics = None

    def set_weight(self, layer: int, row: int, col: int | None, value: float) -> None:
        """Set one weight (or, with ``col`` None, one bias) by hand; the step count stays."""
        linear = self._linear(layer)
        outs, ins = linear.weight.shape
        if row >= outs:
            raise Refused(f"layer {layer} has {outs} units", "row", f"from 0 up to {outs - 1}")
        if col is not None and col >= ins:
            raise Refused(f"layer {layer} has {ins} inputs", "col", f"from 0 up to {ins - 1}")
        with torch.no_grad():
            if col is None:
                linear.bias[row] = value
            else:
                linear.weight[row, col] = value
        self._metrics = None

    def adopt(self, config: ExperimentConfig, data: Dataset) -> None:
        """Take ``config`` and exactly ``data`` (a reopened experiment): a new network."""
        self.caps.check(config)
        if len(data.y) > self.caps.max_points:
            raise Refused(
                f"{len(data.y)} points is over this server's cap of {self.caps.max_points}",
                "points",
                f"up to {self.caps.max_points}",
            )
        self.config = config
        self.point_history.clear()
        self.custom = data if config.data.dataset == "custom" else None
        self._set_data(data)
        self.extent = square_extent(self.x_all)
        self._build_net()

    def reset(self) -> None:
        """Fresh weights from the seed, step 0."""
        self._build_net()

    # -- training -------------------------------------------------------------------------
    def train(self, steps: int) -> None:
        """Take ``steps`` optimizer steps. Raises nets.train.Diverged; refused, with nothing
        trained, when the step count would pass nets.train.MAX_STEP."""
        self._metrics = None
        try:
            self.trainer.step(steps)
        except StepLimit as exc:
            raise Refused(str(exc), "count", f"up to {MAX_STEP - self.step} more steps") from None

    def trained(self) -> None:
        """Its trainer was stepped from outside (the gym): the metrics are stale."""
        self._metrics = None

    @property
    def step(self) -> int:
        return self.trainer.step_count

    def _unscored(self) -> Metrics | Unscored:
        """The metrics if known, else what a frame needs to work them out from its probe."""
        return self._metrics or Unscored(self.step, self.trainer.epoch, self.config.train.loss)

    def metrics(self) -> Metrics:
        if self._metrics is None:
            self._metrics = self.trainer.metrics()
        return self._metrics

    # -- frames ---------------------------------------------------------------------------
    def frame(self) -> bytes:
        """Probe every stage and pack the result as one binary frame (docs/protocol.md)."""
        return self.frame_arrays().encode()

    def frame_arrays(self) -> FrameArrays:
        """Every stage probed, its arrays exact. On the CPU, always: with the live network when
        it trains there, else with a CPU copy (a GPU is slower at probes this small, and a
        frame is then the same wherever it is drawn)."""
        state = self.copy_state()
        if self.device.type == "cpu":
            return compute(self.net, state)
        self._cpu_net = holding(state, self._cpu_net)
        return compute(self._cpu_net, state)

    def copy_state(self) -> SessionState:
        """What the next frame is drawn from (see engine.state): hold the lock for this
        call only, then draw without it, here or in another process."""
        if self._views.generation != self.generation:
            self._views = ViewMemory(self.generation)
        return SessionState.take(
            self.net,
            x=self.x_all,
            labels=self.labels,
            n_train=len(self.data.y_train),
            extent=self.extent,
            view=self.config.view,
            memory=self._views,
            metrics=self._unscored(),
            stats=self.trainer.stats,
            generation=self.generation,
        )

    def remember(self, memory: ViewMemory) -> None:
        """A frame drawn from a copy of the state left this view memory: the next one follows it."""
        if memory.generation == self.generation:
            self._views = memory

    def state(self) -> dict[str, Any]:
        return {
            "config": self.config.model_dump(mode="json"),
            "running": self.running,
            "step": self.step,
            "generation": self.generation,
            "undo": len(self.point_history),
        }


def recipe_of(train: TrainConfig) -> Recipe:
    return Recipe(
        optimizer=train.optimizer,
        lr=train.lr,
        batch_size=train.batch_size or None,
        loss=train.loss,
        penalty=train.penalty,
        rate=train.rate,
        decay=train.decay,
        decay_every=train.decay_every,
    )
