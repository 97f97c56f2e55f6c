"""An operator's caps on experiments: lower than the config's own limits, set per server.

The config's ranges (docs/protocol.md) are hard limits. A server for a crowded class may cap
further with ``SPACEFOLD_MAX_POINTS``, ``SPACEFOLD_MAX_WIDTH``, ``SPACEFOLD_MAX_DEPTH`` and
``SPACEFOLD_MAX_RESOLUTION``; a config past a cap is refused, naming the field, the cap and the
setting, and nothing changes. ``/api/schema`` reports the capped ranges.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from engine.errors import Refused
from engine.schemas import MAX_POINTS, ExperimentConfig

# The fields each cap bounds (by dotted path), and the setting that holds it.
BOUNDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "max_points": ("SPACEFOLD_MAX_POINTS", ("data.points",)),
    "max_width": ("SPACEFOLD_MAX_WIDTH", ("model.width", "model.widths")),
    "max_depth": ("SPACEFOLD_MAX_DEPTH", ("model.depth",)),
    "max_resolution": (
        "SPACEFOLD_MAX_RESOLUTION",
        (
            "view.grid_samples",
            "view.region_resolution",
            "view.stage_region_resolution",
            "view.unit_resolution",
        ),
    ),
}


@dataclass(frozen=True)
class Caps:
    max_points: int = MAX_POINTS
    max_width: int = 32
    max_depth: int = 10
    max_resolution: int = 129

    def check(self, config: ExperimentConfig) -> None:
        """Refuse ``config`` if any field is past its cap."""
        widths = config.model.widths
        if widths is not None and len(widths) > self.max_depth:
            raise Refused(
                f"{len(widths)} hidden layers is over this server's cap of "
                f"{self.max_depth} ({BOUNDS['max_depth'][0]})",
                "model.widths",
                f"at most {self.max_depth} layers",
            )
        for name, (setting, paths) in BOUNDS.items():
            cap: int = getattr(self, name)
            for path in paths:
                value = _field(config, path)
                over = [
                    v
                    for v in (value if isinstance(value, list) else [value])
                    if v is not None and v > cap
                ]
                if over:
                    raise Refused(
                        f"{over[0]} is over this server's cap of {cap} ({setting})",
                        path,
                        f"up to {cap}",
                    )

    def clamp(self, config: ExperimentConfig) -> ExperimentConfig:
        """``config`` with every capped field brought within its cap (a new tab's start)."""
        changes: dict[str, dict[str, Any]] = {}
        for name, (_, paths) in BOUNDS.items():
            cap: int = getattr(self, name)
            for path in paths:
                value = _field(config, path)
                if isinstance(value, list):
                    value = [min(v, cap) for v in value][: self.max_depth] or None
                elif isinstance(value, int):
                    value = min(value, cap)
                section, field = path.split(".")
                changes.setdefault(section, {})[field] = value
        return ExperimentConfig.model_validate(
            {
                section: {**getattr(config, section).model_dump(), **changes.get(section, {})}
                for section in ("data", "model", "train", "view")
            }
        )

    def schema_fields(self, fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The schema's fields (by path) with every capped maximum lowered to its cap."""
        out = copy.deepcopy(fields)
        for name, (_, paths) in BOUNDS.items():
            for path in paths:
                entry = out.get(path, {})
                if isinstance(entry.get("max"), int | float):
                    entry["max"] = min(entry["max"], getattr(self, name))
        return out


def _field(config: ExperimentConfig, path: str) -> Any:
    """The value at dotted ``path`` ("model.width") of ``config``."""
    section, field = path.split(".")
    return getattr(getattr(config, section), field)
