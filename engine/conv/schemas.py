"""The convolution mode's config and the control messages of its socket, validated by pydantic.

The same rules as :mod:`engine.schemas`: unknown fields refused, no value coerced. The
messages the two modes share (play, pause, step, reset, ping, ack, lesson) are the same classes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import Field, TypeAdapter, model_validator

from engine.schemas import (
    Ack,
    JsonTuple,
    Pause,
    Ping,
    Play,
    Reset,
    ShowLesson,
    Step,
    StrictModel,
    describe,
    field_entry,
    message_field_table,
    message_tag,
)
from nets.conv import MAX_CHANNELS, MAX_LAYERS, MAX_STRIDE, Padding, Pool, Readout
from nets.digits import DIGIT_SIZE
from nets.model import Activation
from nets.optim import Optimizer
from nets.signals import GLYPHS, MAX_LENGTH, MAX_SIZE, MIN_LENGTH, MIN_SIZE, MOTIFS, MotifMode

if TYPE_CHECKING:
    MotifName = str
    GlyphName = str
else:  # the names follow nets.signals, which a type checker cannot read
    MotifName = Literal[tuple(MOTIFS)]
    GlyphName = Literal[tuple(GLYPHS)]

DataKind = Literal["motifs", "glyphs", "digits"]
MAX_SAMPLES = 2000
#: The smallest image that holds a glyph in either half (positions "apart").
APART_SIZE = 24
MAX_KERNEL = 9
MAX_DILATION = 3
#: The largest value of a drawn input sample or pixel, and of a kernel weight set by hand.
MAX_VALUE = 10.0


class ConvDataConfig(StrictModel):
    kind: DataKind = Field(
        "glyphs",
        description="1-D signals with motifs, 2-D glyph images, or handwritten digits (8×8)",
    )
    samples: int = Field(400, ge=20, le=MAX_SAMPLES)
    length: int = Field(48, ge=MIN_LENGTH, le=MAX_LENGTH, description="samples of a signal")
    size: int = Field(
        16,
        ge=DIGIT_SIZE,
        le=MAX_SIZE,
        description=f"pixels a side of an image (glyphs from {MIN_SIZE}; a digit is 8 a side, "
        "placed at random in a larger image)",
    )
    motifs: list[MotifName] = Field(
        ["bump", "step"],
        min_length=1,
        max_length=len(MOTIFS),
        description="present: the motif, then a distractor; which: one class each",
    )
    digits: list[Annotated[int, Field(ge=0, le=9)]] = Field(
        list(range(10)), min_length=2, max_length=10, description="one class each"
    )
    motif_mode: MotifMode = Field("present", description="motif present or not, or which motif")
    glyphs: list[GlyphName] = Field(
        ["C", "D"], min_length=2, max_length=len(GLYPHS), description="one class each"
    )
    positions: Literal["anywhere", "apart"] = Field(
        "anywhere",
        description="apart: training motifs (glyphs) lie in the left half of the signal "
        "(image), test ones in its right half: positions the net never saw",
    )
    noise: float = Field(0.1, ge=0.0, le=1.0)
    test_ratio: float = Field(0.5, ge=0.1, le=0.9)
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seeds the data and the weights")

    @model_validator(mode="after")
    def _distinct(self) -> ConvDataConfig:
        chosen_lists: tuple[tuple[str, list[Any]], ...] = (
            ("motifs", self.motifs),
            ("glyphs", self.glyphs),
            ("digits", self.digits),
        )
        for name, chosen in chosen_lists:
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"each of {name} may be chosen once")
        if self.kind == "motifs" and self.motif_mode == "which" and len(self.motifs) < 2:
            raise ValueError("telling which motif needs two or more motifs")
        if self.kind == "digits" and self.positions == "apart":
            raise ValueError("positions apart is for signals and glyphs (the digits are centred)")
        if self.kind == "glyphs" and self.positions == "apart" and self.size < APART_SIZE:
            raise ValueError(f"glyphs apart need images of {APART_SIZE} pixels a side or more")
        if self.kind == "glyphs" and self.size < MIN_SIZE:
            raise ValueError(f"a glyph image is at least {MIN_SIZE} pixels a side")
        return self

    @property
    def dims(self) -> int:
        return 1 if self.kind == "motifs" else 2

    @property
    def classes(self) -> int:
        if self.kind == "glyphs":
            return len(self.glyphs)
        if self.kind == "digits":
            return len(self.digits)
        return len(self.motifs) if self.motif_mode == "which" else 2


class ConvLayerConfig(StrictModel):
    channels: int = Field(4, ge=1, le=MAX_CHANNELS)
    kernel: int = Field(3, ge=1, le=MAX_KERNEL, description="taps per spatial axis")
    stride: int = Field(1, ge=1, le=MAX_STRIDE)
    padding: Padding = "same"
    dilation: int = Field(1, ge=1, le=MAX_DILATION)


class ConvModelConfig(StrictModel):
    layers: list[ConvLayerConfig] = Field(
        [ConvLayerConfig(), ConvLayerConfig(channels=8)],
        min_length=1,
        max_length=MAX_LAYERS,
        description="conv layers in order (two by default: one sees strokes, the next their "
        "meetings: C against D at 100 % test)",
    )
    activation: Activation = "relu"
    pool: Pool = Field("none", description="after every layer: a window of 2, stride 2")
    readout: Readout = Field("max", description="global max or average per channel, or flatten")
    unshared: bool = Field(False, description="locally connected: every position its own weights")


class ConvTrainConfig(StrictModel):
    optimizer: Optimizer = "adam"
    lr: float = Field(0.01, gt=0.0, le=10.0)
    batch_size: int = Field(32, ge=0, le=MAX_SAMPLES, description="0: the whole training set")


class ConvViewConfig(StrictModel):
    speed: int = Field(2, ge=0, le=200, description="optimizer steps a frame; 0: none")
    example: int = Field(0, ge=0, le=MAX_SAMPLES - 1, description="the test sample shown")
    shift: Annotated[tuple[int, ...], JsonTuple] = Field(
        (),
        max_length=2,
        description="how far the shown input is moved, per axis (empty: not moved)",
    )
    compare: bool = Field(
        False, description="the first 4 test samples' maps beside the shown one's"
    )


class ConvConfig(StrictModel):
    data: ConvDataConfig = ConvDataConfig()
    model: ConvModelConfig = ConvModelConfig()
    train: ConvTrainConfig = ConvTrainConfig()
    view: ConvViewConfig = ConvViewConfig()


Value = Annotated[float, Field(ge=-MAX_VALUE, le=MAX_VALUE)]


class ConvConfigure(StrictModel):
    """Change the config: ``changes`` maps a section to the fields it changes."""

    type: Literal["configure"]
    changes: dict[str, dict[str, Any]]


class SetKernel(StrictModel):
    """Set one kernel of a shared conv layer by hand: ``weights`` holds its ``C_in·F`` (1-D) or
    ``C_in·F·F`` (2-D) taps, input channel by channel, row by row."""

    type: Literal["set_kernel"]
    layer: int = Field(ge=0, le=MAX_LAYERS - 1)
    channel: int = Field(ge=0, le=MAX_CHANNELS - 1)
    weights: list[Value] = Field(min_length=1, max_length=MAX_CHANNELS * MAX_KERNEL**2)
    bias: Value | None = None


class SetInput(StrictModel):
    """Show the network an input of one's own: ``values`` are its samples (1-D) or its pixels
    row by row (2-D), as many as the data's signals or images have; null goes back to the
    test sample."""

    type: Literal["set_input"]
    values: list[Value] | None = Field(max_length=MAX_LENGTH * MAX_SIZE)


#: The most features a readout can have: every value of 16 channels of a 28×28 image, flattened.
MAX_FEATURES = MAX_CHANNELS * MAX_SIZE**2


class SetReadout(StrictModel):
    """Set the linear classifier by hand: ``weight`` has a row per class (10 at most: the
    digits), a number per pooled feature (a channel of the last layer, or a flattened value);
    ``bias`` one number per class, or null to keep the biases."""

    type: Literal["set_readout"]
    weight: list[Annotated[list[Value], Field(min_length=1, max_length=MAX_FEATURES)]] = Field(
        min_length=1, max_length=10
    )
    bias: list[Value] | None = Field(None, min_length=1, max_length=10)


#: Every message of the convolution socket, told apart by ``type``.
AnyConvMessage = (
    Play
    | Pause
    | Step
    | Reset
    | ConvConfigure
    | SetKernel
    | SetReadout
    | SetInput
    | ShowLesson
    | Ping
    | Ack
)
ConvMessage = Annotated[AnyConvMessage, Field(discriminator="type")]
CONV_MESSAGES: tuple[type[StrictModel], ...] = get_args(AnyConvMessage)
CONV_MESSAGE: TypeAdapter[ConvMessage] = TypeAdapter(ConvMessage)


def conv_field_table() -> dict[str, dict[str, Any]]:
    """Every conv config field as ``{"model.pool": {"type", "choices", "default", ...}}``; a
    layer's fields under ``model.layers.*``."""
    schema = ConvConfig.model_json_schema()
    defs = schema["$defs"]
    table: dict[str, dict[str, Any]] = {}
    for section, ref in schema["properties"].items():
        sub = defs[ref["$ref"].split("/")[-1]]
        for name, prop in sub["properties"].items():
            table[f"{section}.{name}"] = field_entry(prop)
    for name, prop in defs["ConvLayerConfig"]["properties"].items():
        table[f"model.layers.*.{name}"] = field_entry(prop)
    return table


CONV_FIELDS = conv_field_table()
CONV_MESSAGE_FIELDS = message_field_table(CONV_MESSAGES)
CONV_MESSAGE_TYPES = tuple(message_tag(m) for m in CONV_MESSAGES)


def conv_allowed_text(field: str) -> str | None:
    """What ``field`` (a dotted conv config or message path) accepts; a layer's index may be
    any number (``model.layers.2.kernel``)."""
    if field == "type":
        return "one of " + ", ".join(CONV_MESSAGE_TYPES)
    key = re.sub(r"^model\.layers\.\d+\.", "model.layers.*.", field)
    entry = CONV_FIELDS.get(key) or CONV_MESSAGE_FIELDS.get(key)
    return None if entry is None else describe(entry)
