"""Frames are paced per tab, and a busy server shares its frame budget fairly."""

from pathlib import Path
from typing import Any, cast

import pytest

from server.connection import Connection
from server.gym import Gym
from server.settings import Settings


@pytest.mark.parametrize(("training", "seconds"), [(1, 1 / 30), (10, 1 / 30), (60, 60 / 300)])
def test_a_busy_server_shares_its_frames(tmp_path: Path, training: int, seconds: float) -> None:
    settings = Settings(device="cpu", data_dir=tmp_path, max_fps=30, max_total_fps=300)
    none = cast(Any, None)
    connection = Connection(none, none, none, settings, Gym(), busy=lambda: training)
    assert connection.interval() == pytest.approx(seconds)
