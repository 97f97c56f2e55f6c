"""One browser tab's experiment: its config, data, network and trainer, and its frames.

Everything here is synchronous torch/numpy work; the WebSocket layer calls it from a worker
thread, one call at a time per session (the session's lock makes that so).
"""

from __future__ import annotations

import math
import threading
import uuid
from typing import Any

import numpy as np
import torch

from nets.datasets import Dataset, make_dataset
from nets.model import FoldNet
from nets.probe import (
    Extent,
    default_units,
    grid_lines,
    on_units,
    probe,
    region_axes,
    region_points,
    square_extent,
)
from nets.train import Metrics, Trainer
from server.frames import PROTOCOL, encode_frame
from server.schemas import ExperimentConfig


class Session:
    """The state behind one tab. Not thread-safe by itself: hold ``lock`` around calls."""

    def __init__(self, config: ExperimentConfig, device: torch.device) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.lock = threading.Lock()
        self.device = device
        self.config = config
        self.generation = 0
        self.running = False
        self._build_data()
        self._build_net()

    # -- building -------------------------------------------------------------------------
    def _build_data(self) -> None:
        d = self.config.data
        self.data: Dataset = make_dataset(
            d.dataset, d.points, d.noise, d.seed, d.classes, d.test_ratio
        )
        self.x_all = self.data.x
        self.labels = self.data.y.astype(np.uint8)
        self.extent: Extent = square_extent(self.x_all)

    def _build_net(self) -> None:
        m, t = self.config.model, self.config.train
        seed = self.config.data.seed
        net = FoldNet([m.width] * m.depth, m.activation, self.data.n_classes, seed=seed)
        self.trainer = Trainer(net, self.data, t.optimizer, t.lr, seed=seed, device=self.device)
        self.generation += 1
        self._metrics: Metrics | None = None

    @property
    def net(self) -> FoldNet:
        return self.trainer.net

    def configure(self, config: ExperimentConfig) -> None:
        """Adopt ``config``, rebuilding only what its changes touch."""
        old, self.config = self.config, config
        if config.data != old.data:
            self._build_data()
            self._build_net()
        elif config.model != old.model:
            self._build_net()
        elif config.train != old.train:
            self.trainer.set_optimizer(config.train.optimizer, config.train.lr)

    def reset(self) -> None:
        """Fresh weights from the seed, step 0."""
        self._build_net()

    # -- training -------------------------------------------------------------------------
    def train(self, steps: int) -> None:
        """Take ``steps`` optimizer steps. Raises nets.train.Diverged."""
        self._metrics = None
        self.trainer.step(steps)

    @property
    def step(self) -> int:
        return self.trainer.step_count

    def metrics(self) -> Metrics:
        if self._metrics is None:
            self._metrics = self.trainer.metrics()
        return self._metrics

    # -- frames ---------------------------------------------------------------------------
    def frame(self) -> bytes:
        """Probe every stage and pack the result as one binary frame (docs/protocol.md)."""
        v = self.config.view
        lines = grid_lines(self.extent, v.grid_lines, v.grid_samples)
        xs, ys = region_axes(self.extent, v.region_resolution)
        result = probe(self.net, self.x_all, lines, region_points(xs, ys), self.device)
        stages: list[dict[str, Any]] = []
        arrays: dict[str, np.ndarray] = {"labels": self.labels, "pred": result.pred}
        for info in self.net.stage_info():
            units = default_units(info.width)
            stages.append(
                {"index": info.index, "kind": info.kind, "layer": info.layer,
                 "width": info.width, "units": list(units)}
            )
            arrays[f"stage{info.index}/points"] = on_units(result.points[info.index], units)
            arrays[f"stage{info.index}/grid"] = on_units(result.grid[info.index], units)
        arrays.update({"region/label": result.region_label, "region/conf": result.region_conf,
                       "region/x": xs, "region/y": ys})
        m = self.metrics()
        header = {
            "type": "frame", "protocol": PROTOCOL, "generation": self.generation,
            "step": self.step,
            "metrics": {key: _finite(getattr(m, key))
                        for key in ("train_loss", "train_acc", "test_loss", "test_acc")},
            "classes": self.data.n_classes,
            "n_train": len(self.data.y_train), "n_test": len(self.data.y_test),
            "extent": list(self.extent),
            "grid": {"lines": v.grid_lines, "samples": v.grid_samples},
            "region": {"resolution": v.region_resolution},
            "stages": stages,
        }
        return encode_frame(header, arrays)

    def state(self) -> dict[str, Any]:
        return {"config": self.config.model_dump(), "running": self.running, "step": self.step,
                "generation": self.generation}


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity: a diverged metric travels as null."""
    return value if math.isfinite(value) else None
