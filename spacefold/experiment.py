"""An experiment driven from Python: the server's own session, without the server.

The data, the network, its training and every frame come from ``engine.session.Session``, the
code behind a browser tab, so a notebook sees exactly what the page shows. Only the engine is
used (the config, presets, sessions, frames, the experiment file): never ``server`` or FastAPI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from pydantic import ValidationError

from engine.errors import Refused, first_problem
from engine.experiment import ExperimentFile, restore, to_file
from engine.presets import PRESETS
from engine.schemas import ExperimentConfig, merge_config
from engine.session import Session
from nets.datasets import Dataset
from nets.model import FoldNet, Stage
from nets.train import Metrics, Trainer
from spacefold.frame import Frame


class Experiment:
    """A dataset, a network and its trainer, built from a config as the browser builds them.

    >>> exp = Experiment.from_preset("default").train(200)
    >>> exp.frame().points(0).shape  # the input plane's points, as drawn
    """

    def __init__(self, config: ExperimentConfig | None = None, device: str = "cpu") -> None:
        self.session = Session(config or ExperimentConfig(), torch.device(device))
        self.history: list[Metrics] = [self.session.metrics()]

    # -- building -------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls, changes: Mapping[str, Mapping[str, Any]] | None = None, **sections: Mapping[str, Any]
    ) -> Experiment:
        """The default experiment with ``changes`` merged in, by section, e.g.
        ``from_config(data={"dataset": "spiral"}, model={"width": 8, "depth": 3})``.
        Raises ValueError naming the first field out of range."""
        merged = {k: dict(v) for k, v in {**(changes or {}), **sections}.items()}
        try:
            return cls(merge_config(ExperimentConfig(), merged))
        except ValidationError as exc:
            raise ValueError(first_problem(exc, "config")) from None

    @classmethod
    def from_preset(cls, name: str, seed: int | None = None) -> Experiment:
        """One of the page's presets (``PRESETS``), optionally with another seed."""
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
        config = PRESETS[name]
        if seed is not None:
            return cls.from_config(
                config.model_dump(), data={**config.data.model_dump(), "seed": seed}
            )
        return cls(config)

    @classmethod
    def from_file(cls, path: str | Path, seed: int | None = None) -> Experiment:
        """An experiment file as the page exports it (settings, points, weights, step).
        ``seed`` changes only the seed of further mini-batches and of a reset."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        try:
            saved = ExperimentFile.model_validate_json(text)
        except ValidationError as exc:
            raise ValueError(
                f"{path} is not a spacefold experiment: {first_problem(exc, 'file')}"
            ) from None
        if seed is not None:
            data = saved.config.data.model_copy(update={"seed": seed})
            saved = saved.model_copy(
                update={"config": saved.config.model_copy(update={"data": data})}
            )
        exp = cls(saved.config)
        try:
            restore(exp.session, saved)
        except Refused as exc:
            raise ValueError(f"{path}: {exc}") from None
        exp.history = [exp.session.metrics()]
        return exp

    def save(self, path: str | Path) -> None:
        """Write the experiment file the page can import."""
        Path(path).write_text(to_file(self.session).model_dump_json(), encoding="utf-8")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(to_file(self.session).model_dump_json())
        return out

    # -- what it holds --------------------------------------------------------------------
    @property
    def config(self) -> ExperimentConfig:
        return self.session.config

    @property
    def net(self) -> FoldNet:
        return self.session.net

    @property
    def data(self) -> Dataset:
        return self.session.data

    @property
    def trainer(self) -> Trainer:
        return self.session.trainer

    @property
    def step(self) -> int:
        return self.session.step

    def stages(self) -> list[Stage]:
        """What each stage is: input, affine i, fold i, ..., output."""
        return self.net.stage_info()

    def metrics(self) -> Metrics:
        return self.session.metrics()

    # -- training -------------------------------------------------------------------------
    def train(self, steps: int, record_every: int = 10) -> Experiment:
        """Take ``steps`` optimizer steps, noting the metrics every ``record_every`` steps (the
        loss curves). Returns the experiment, to chain. Raises nets.train.Diverged, and
        engine.errors.Refused (a ValueError) for steps that would pass the largest step count
        an experiment holds (2**53)."""
        if steps < 0 or record_every < 1:
            raise ValueError("steps must be >= 0 and record_every >= 1")
        done = 0
        while done < steps:
            chunk = min(record_every, steps - done)
            self.session.train(chunk)
            done += chunk
            self.history.append(self.session.metrics())
        return self

    def reset(self) -> Experiment:
        """Fresh weights from the seed, step 0, and a fresh history."""
        self.session.reset()
        self.history = [self.session.metrics()]
        return self

    def frame(self) -> Frame:
        """The frame the page would draw now, its arrays exact (not packed for the wire)."""
        content = self.session.frame_arrays()
        return Frame(content.header, content.exact())

    def __repr__(self) -> str:
        return f"Experiment({self.net!r}, {self.data!r}, step={self.step})"
