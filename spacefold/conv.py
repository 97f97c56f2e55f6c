"""A convolution experiment driven from Python: the convolution mode's session, without the
server.

The samples, the conv net, its training and every frame come from
``engine.conv.session.ConvSession``, the code behind a browser tab in the convolution mode, so a
notebook sees exactly what the page shows. Only the engine is used (the config, the lessons,
the session, the frame and the experiment file): never ``server`` or FastAPI.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from engine.conv.file import ConvExperimentFile, restore_conv, to_conv_file
from engine.conv.frame import conv_frame
from engine.conv.lessons import CONV_LESSONS, ConvLesson
from engine.conv.schemas import ConvConfig, SetInput, SetKernel
from engine.conv.session import ConvSession
from engine.errors import Refused, first_problem
from engine.lessons import load_lesson
from engine.schemas import merge_config
from nets.conv import ConvNet
from nets.convtrain import ConvMetrics

#: A frame as the engine gives it: the header, and the arrays by name (exact, not packed).
ConvFrame = tuple[dict[str, Any], dict[str, np.ndarray]]
#: Optimizer steps a lesson's ``play`` trains for (as the page plays it: about 17 s at the
#: default speed, 30 frames a second).
PLAY_STEPS = 1000


def lessons_folder() -> Path:
    """Where the lessons are: ``SPACEFOLD_LESSONS_DIR`` when set (as for the server), else
    the folder a wheel installs them in, else the top of the checkout."""
    chosen = os.environ.get("SPACEFOLD_LESSONS_DIR")
    if chosen:
        return Path(chosen)
    top = Path(__file__).resolve().parent.parent
    installed = top / "server" / "lessons"
    return installed if installed.is_dir() else top / "lessons"


def conv_lesson_names(folder: Path | None = None) -> list[str]:
    """The names of the convolution lessons (their file names)."""
    where = (folder or lessons_folder()) / CONV_LESSONS
    return sorted(p.stem for p in where.glob("*.json")) if where.is_dir() else []


def _refusal(exc: Refused) -> ValueError:
    """A refusal as one ValueError naming the field and what it accepts."""
    message = f"{exc.field}: {exc}" if exc.field else str(exc)
    if exc.allowed:
        message += f" (allowed: {exc.allowed})"
    return ValueError(message)


def _numbers(values: Any, field: str) -> list[float]:
    """``values`` (a list, nested lists or an array) flattened to floats; ValueError naming
    ``field`` when they are not numbers."""
    try:
        flat = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: give numbers (a list or an array)") from None
    return [float(v) for v in flat]


class ConvExperiment:
    """Samples, a conv net and its trainer, built from a config as the page builds them.

    >>> exp = ConvExperiment.from_config(data={"kind": "motifs"}).train(200)
    >>> header, arrays = exp.frame()  # arrays["stage/1"]: the first conv layer's maps
    """

    def __init__(self, config: ConvConfig | None = None) -> None:
        chosen = config or ConvConfig()
        try:
            self.session = ConvSession(chosen)
            self.session.configure(chosen)  # checks the view (the shift) against the data
        except Refused as exc:
            raise _refusal(exc) from None

    # -- building -------------------------------------------------------------------------
    @classmethod
    def from_config(
        cls, changes: Mapping[str, Mapping[str, Any]] | None = None, **sections: Mapping[str, Any]
    ) -> ConvExperiment:
        """The default experiment with ``changes`` merged in, by section, e.g.
        ``from_config(data={"kind": "motifs"}, model={"layers": [{"channels": 2}]})``
        (a list, such as ``model.layers``, is replaced whole). Raises ValueError naming the
        first field out of range."""
        return cls(_merged(ConvConfig(), {**(changes or {}), **sections}))

    @classmethod
    def from_lesson(
        cls, name: str, step: int | None = None, folder: Path | None = None
    ) -> ConvExperiment:
        """Lesson ``name`` (a file of ``lessons/conv/``) as the page plays it: its start, then
        steps 0 to ``step`` in order (their changes, then their action: ``play`` trains
        :data:`PLAY_STEPS` steps, ``step`` its count, ``reset`` new weights). ``step`` None:
        the lesson's start."""
        names = conv_lesson_names(folder)
        if name not in names:
            raise ValueError(f"name: no convolution lesson {name!r}; choose one of {names}")
        path = (folder or lessons_folder()) / CONV_LESSONS / f"{name}.json"
        lesson = load_lesson(path, ConvLesson)
        last = len(lesson.steps) - 1
        if step is not None and (isinstance(step, bool) or not 0 <= step <= last):
            raise ValueError(f"step: lesson {name!r} has steps 0 to {last}, not {step!r}")
        exp = cls(_merged(ConvConfig(), lesson.start))
        for lesson_step in lesson.steps[: 0 if step is None else step + 1]:
            exp._play(lesson_step.changes, lesson_step.action, lesson_step.steps)
        return exp

    def _play(self, changes: dict[str, dict[str, Any]], action: str | None, steps: int) -> None:
        session = self.session
        try:
            session.configure(merge_config(session.config, changes))
        except Refused as exc:
            raise _refusal(exc) from None
        if action == "reset":
            session.reset()
        if action == "play" or (action in (None, "reset") and session.running):
            session.running = True
            session.step(PLAY_STEPS)
        elif action == "step":
            session.running = False
            session.step(steps)
        elif action == "pause":
            session.running = False

    @classmethod
    def from_file(cls, path: str | Path) -> ConvExperiment:
        """A convolution experiment file (as the page exports it, or :meth:`save` writes):
        its config, every weight and the step count. Not one: a ValueError saying why."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        try:
            saved = ConvExperimentFile.model_validate_json(text)
        except ValidationError as exc:
            raise ValueError(
                f"{path} is not a spacefold convolution experiment: {first_problem(exc, 'file')}"
            ) from None
        exp = cls(saved.config)
        try:
            restore_conv(exp.session, saved)
        except Refused as exc:
            raise ValueError(f"{path}: {_refusal(exc)}") from None
        return exp

    def save(self, path: str | Path) -> None:
        """Write the experiment file the page can import."""
        Path(path).write_text(self._file().model_dump_json(), encoding="utf-8")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self._file().model_dump_json())
        return out

    def _file(self) -> ConvExperimentFile:
        try:
            return to_conv_file(self.session)
        except Refused as exc:
            raise _refusal(exc) from None

    # -- what it holds --------------------------------------------------------------------
    @property
    def config(self) -> ConvConfig:
        return self.session.config

    @property
    def net(self) -> ConvNet:
        return self.session.net

    @property
    def step(self) -> int:
        return self.session.trainer.step_count

    def metrics(self) -> ConvMetrics:
        """Loss and accuracy on the training and the test samples."""
        return self.session.metrics()

    def frame(self) -> ConvFrame:
        """The frame the page would draw now: its header and its arrays, exact (see
        ``engine.conv.frame``): ``stage/k`` is ``net.body[:k]`` of the shown input."""
        return conv_frame(self.session)

    # -- changing it ----------------------------------------------------------------------
    def configure(
        self, changes: Mapping[str, Mapping[str, Any]] | None = None, **sections: Mapping[str, Any]
    ) -> ConvExperiment:
        """Change settings as the page's controls do, rebuilding only what they touch (new
        data or layers: new weights). ValueError naming the field; nothing changes then."""
        config = _merged(self.config, {**(changes or {}), **sections})
        try:
            self.session.configure(config)
        except Refused as exc:
            raise _refusal(exc) from None
        return self

    def train(self, steps: int) -> ConvExperiment:
        """Take ``steps`` optimizer steps; returns the experiment, to chain. Raises
        nets.train.Diverged, and nets.train.StepLimit past the largest step count an
        experiment holds (2**53)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps: a whole number >= 0, not {steps!r}")
        if steps:
            self.session.step(steps)
        return self

    def reset(self) -> ConvExperiment:
        """Fresh weights from the seed, step 0; the samples stay."""
        self.session.reset()
        return self

    def set_kernel(
        self, layer: int, channel: int, weights: Any, bias: float | None = None
    ) -> ConvExperiment:
        """Set kernel ``channel`` of conv layer ``layer`` (0-based) by hand: ``weights`` are its
        ``C_in·F`` (1-D) or ``C_in·F·F`` (2-D) taps (a flat list, or an array of the kernel's
        shape), each in -10..10; ``bias`` too, or None to keep it."""
        message = {
            "type": "set_kernel",
            "layer": layer,
            "channel": channel,
            "weights": _numbers(weights, "weights"),
            "bias": bias,
        }
        try:
            checked = SetKernel.model_validate(message)
            self.session.set_kernel(checked)
        except ValidationError as exc:
            raise ValueError(first_problem(exc, "set_kernel")) from None
        except Refused as exc:
            raise _refusal(exc) from None
        return self

    def draw(self, values: Any | None) -> ConvExperiment:
        """Show the net an input of one's own (a signal's samples, or an image's pixels as an
        array or row by row, each in -10..10); None: back to the test sample."""
        numbers = None if values is None else _numbers(values, "values")
        try:
            SetInput.model_validate({"type": "set_input", "values": numbers})
            self.session.set_input(numbers)
        except ValidationError as exc:
            raise ValueError(first_problem(exc, "set_input")) from None
        except Refused as exc:
            raise _refusal(exc) from None
        return self

    def shift(self, *by: int) -> ConvExperiment:
        """Move the shown input ``by`` samples per axis (zero-filled), as the page's arrows do;
        no argument: back in place."""
        return self.configure(view={"shift": list(by)})

    def shifted(self, by: Sequence[int]) -> ConvFrame:
        """The frame with the input moved ``by``, leaving the experiment's own shift as it was."""
        before = list(self.config.view.shift)
        self.shift(*by)
        try:
            return self.frame()
        finally:
            self.shift(*before)

    def __repr__(self) -> str:
        return f"ConvExperiment({self.net!r}, kind={self.config.data.kind!r}, step={self.step})"


def _merged(config: ConvConfig, changes: Mapping[str, Any]) -> ConvConfig:
    """``config`` with ``changes`` merged in by section; ValueError naming the first field."""
    try:
        return merge_config(config, {k: dict(v) for k, v in changes.items()})
    except ValidationError as exc:
        raise ValueError(first_problem(exc, "config")) from None
    except (TypeError, ValueError):
        raise ValueError("config: give each section as a mapping of fields to values") from None
