"""Every compiled routine a frame uses, loaded before the first frame needs it.

The frame's arithmetic is partly compiled (numba, cached on disk): the first call of each
routine in a process loads it, which takes about a second in all. Drawing one small frame and
scoring it loads every one of them with the types real frames pass, so a drawing process can
say it is ready, and the server's first frame is drawn in milliseconds.
"""

from __future__ import annotations

import torch

from engine.schemas import DataConfig, ExperimentConfig
from engine.session import Session

#: Points of the frame drawn to warm up (as few as a dataset takes).
WARM_POINTS = 20


def warm() -> None:
    """Draw one frame of a small default experiment and score its network (the trainer's
    metrics), discarding both."""
    session = Session(ExperimentConfig(data=DataConfig(points=WARM_POINTS)), torch.device("cpu"))
    session.frame()
    session.metrics()
