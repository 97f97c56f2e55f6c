"""Server settings, from arguments or the environment (``SPACEFOLD_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.caps import Caps
from engine.schemas import MAX_POINTS

HERE = Path(__file__).resolve().parent
#: An instance's name: a few lower-case letters and digits (it begins session ids and URLs).
INSTANCE_PATTERN = r"^[a-z0-9]{1,12}$"


def shipped(folder: str) -> Path:
    """``frontend`` or ``lessons``: inside this package where a wheel installed it
    (pyproject.toml maps it there), else at the top of the checkout, where it is kept."""
    installed = HERE / folder
    return installed if installed.is_dir() else HERE.parent / folder


FRONTEND_DIR = shipped("frontend")
LESSONS_DIR = shipped("lessons")


class Settings(BaseSettings):
    """Every cap and knob of the server. Each is documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="SPACEFOLD_")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    max_sessions: int = Field(64, ge=1, description="sessions (open tabs) held at once")
    max_sessions_per_client: int = Field(
        8, ge=1, description="sessions one remote address may hold; this machine is not counted"
    )
    max_points: int = Field(
        MAX_POINTS, ge=10, le=MAX_POINTS, description="points in one experiment, generated or drawn"
    )
    max_width: int = Field(32, ge=1, le=32, description="units in one hidden layer")
    max_depth: int = Field(10, ge=0, le=10, description="hidden layers")
    max_resolution: int = Field(
        129,
        ge=8,
        le=129,
        description="grid samples a line and region or unit-map cells a side, at most",
    )
    max_message_bytes: int = Field(65536, ge=256, description="largest control message accepted")
    idle_minutes: float = Field(
        60.0, gt=0, description="a tab that neither trains nor is used this long is closed"
    )
    max_fps: float = Field(60.0, gt=0, le=240, description="frames a second sent to one tab")
    max_total_fps: float = Field(
        1000.0, gt=0, description="frames a second for all tabs together; shared when busy"
    )
    workers: int = Field(2, ge=1, le=64, description="threads for control messages (and frames)")
    frame_processes: int | None = Field(
        None,
        ge=0,
        le=64,
        description="processes that draw frames, started when the server is first busy; unset: "
        "one a core, at most 4 (none on one core)",
    )
    data_dir: Path = Field(Path.home() / ".spacefold", description="where saved experiments live")
    store: str | None = Field(
        None,
        pattern=r"^postgres(ql)?://",
        description="a postgresql:// URL: saves in PostgreSQL, shared by every instance "
        "(unset: SQLite in the data folder)",
    )
    max_saves: int = Field(1000, ge=1, description="saved experiments kept at most")
    instance: str | None = Field(
        None,
        pattern=INSTANCE_PATTERN,
        description="this instance's name among several behind one proxy: it begins every "
        "session id it makes, so the proxy routes a session to the instance that holds it",
    )
    broker: str | None = Field(
        None,
        pattern=r"^rediss?://",
        description="a redis:// URL: follow mode across instances through Redis pub/sub "
        "(unset: followers are served by the instance that holds the session)",
    )
    autosave_seconds: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="a session that changed is saved to the store this often, so a tab whose "
        "instance died gets it back",
    )
    join_code: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9]{4,12}$",
        description="needed by everyone but this machine; made up at start on a LAN bind",
    )
    lessons_dir: Path = Field(LESSONS_DIR, description="folder of lesson files (*.json)")
    frontend_dir: Path = FRONTEND_DIR

    def caps(self) -> Caps:
        """The operator's caps on experiments, from these settings."""
        return Caps(self.max_points, self.max_width, self.max_depth, self.max_resolution)
