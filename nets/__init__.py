"""spacefold's compute: datasets, FoldNet, probes and training. No web imports."""

from nets.datasets import Dataset, make_dataset
from nets.model import FoldNet, Stage
from nets.probe import Probe, grid_lines, probe, region_axes, region_points, square_extent
from nets.train import Diverged, Metrics, Recipe, Trainer

__all__ = [
    "Dataset",
    "Diverged",
    "FoldNet",
    "Metrics",
    "Probe",
    "Recipe",
    "Stage",
    "Trainer",
    "grid_lines",
    "make_dataset",
    "probe",
    "region_axes",
    "region_points",
    "square_extent",
]
