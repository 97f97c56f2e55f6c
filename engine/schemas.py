"""The experiment config and the client's control messages, validated by pydantic."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    field_validator,
    model_validator,
)

from nets.datasets import KINDS, SPIRAL_TURNS
from nets.editing import MAX_COORDINATE
from nets.features import FEATURES, PLAIN, Feature
from nets.model import Activation, Init
from nets.optim import Decay, Loss, Optimizer, Penalty

#: Points drawn or uploaded in a session: a dataset of any number of classes, no generator.
CUSTOM = "custom"

#: Every dataset a config may name, and what each takes (GET /api/schema tells the page).
DATASETS: dict[str, dict[str, bool]] = {
    **{name: kind.facts() for name, kind in KINDS.items()},
    CUSTOM: {"classes": True, "turns": False, "regression": False},
}

if TYPE_CHECKING:
    DatasetName = str
else:  # the names follow nets.datasets.KINDS, which a type checker cannot read
    DatasetName = Literal[tuple(DATASETS)]


MAX_POINTS = 5000

#: The largest weight or bias, either sign, that a hand edit may set.
MAX_WEIGHT = 100.0


class StrictModel(BaseModel):
    """Unknown fields refused, and no value coerced: "2" or true is no number, 1 no boolean
    (a whole number is still a float). Data from JSON is checked as JSON would be: a tuple
    field takes a list (see ``JsonTuple``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


#: Marks a tuple field so that a list (a JSON array) is taken for it; its items stay strict.
JsonTuple = Strict(False)


class DataConfig(StrictModel):
    dataset: DatasetName = "moons"
    classes: int = Field(2, ge=2, le=6, description="spiral arms, rings or blobs")
    points: int = Field(400, ge=10, le=MAX_POINTS)
    noise: float = Field(0.0, ge=0.0, le=0.5)
    test_ratio: float = Field(0.5, ge=0.1, le=0.9)
    seed: int = Field(4, ge=0, le=2**31 - 1, description="seeds the data and the weights")
    turns: float = Field(SPIRAL_TURNS, ge=0.5, le=3.0, description="turns of every spiral arm")


class ModelConfig(StrictModel):
    width: int = Field(2, ge=1, le=32)
    depth: int = Field(3, ge=0, le=10)
    widths: list[Annotated[int, Field(ge=1, le=32)]] | None = Field(
        None,
        max_length=10,
        description="hidden widths layer by layer; when set, width and depth follow from it",
    )
    activation: Activation = "relu"
    init: Init = Field("auto", description="auto: He for ReLU-like folds, Glorot otherwise")
    dropout: float = Field(0.0, ge=0.0, le=0.9)
    features: list[Feature] = Field(
        list(PLAIN), min_length=1, max_length=len(FEATURES), description="what the first layer sees"
    )

    @property
    def hidden(self) -> list[int]:
        """The hidden widths, layer by layer."""
        return list(self.widths) if self.widths is not None else [self.width] * self.depth

    @field_validator("features")
    @classmethod
    def _distinct(cls, names: list[Feature]) -> list[Feature]:
        if len(set(names)) != len(names):
            raise ValueError("each feature may be chosen once")
        return names


class TrainConfig(StrictModel):
    optimizer: Optimizer = "adam"
    lr: float = Field(0.03, gt=0.0, le=10.0)
    batch_size: int = Field(0, ge=0, le=5000, description="0: the whole training set")
    loss: Loss = "cross_entropy"
    penalty: Penalty = "none"
    rate: float = Field(0.0, ge=0.0, le=10.0, description="strength of the L1/L2 penalty")
    decay: Decay = "none"
    decay_every: int = Field(1000, ge=1, le=1_000_000, description="steps per halving")


Unit = Annotated[int, Field(ge=0, le=31)]


class ViewConfig(StrictModel):
    speed: int = Field(
        5,
        ge=0,
        le=1000,
        description=(
            "30 x speed optimizer steps a second (speed steps a frame at 30 frames a second), "
            "however fast frames really go; 0: as fast as the server can"
        ),
    )
    projection: Literal["pair", "pca", "3d"] = Field(
        "pair", description="how stages wider than 2 are drawn"
    )
    pair: Annotated[tuple[Unit, Unit], JsonTuple] = Field(
        (0, 1), description="the two units drawn for wide stages"
    )
    regions: bool = Field(True, description="decision regions in every 2-wide stage")
    grid_lines: int = Field(13, ge=3, le=41)
    grid_samples: int = Field(33, ge=8, le=129)
    region_resolution: int = Field(48, ge=8, le=128, description="cells a side, input plane")
    stage_region_resolution: int = Field(
        32, ge=8, le=128, description="cells a side of the regions in the other stages"
    )
    units: bool = Field(False, description="every hidden unit's output over the input plane")
    unit_resolution: int = Field(24, ge=8, le=64)


class ExperimentConfig(StrictModel):
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    view: ViewConfig = ViewConfig()


class Play(StrictModel):
    type: Literal["play"]


class Pause(StrictModel):
    type: Literal["pause"]


class Step(StrictModel):
    type: Literal["step"]
    count: int = Field(1, ge=1, le=1000)


class Reset(StrictModel):
    type: Literal["reset"]


class Ping(StrictModel):
    type: Literal["ping"]


class SetWeight(StrictModel):
    """Set one weight (``col`` given) or one bias (``col`` null) of a layer by hand."""

    type: Literal["set_weight"]
    layer: int = Field(ge=1, le=11, description="1-based; depth + 1 is the classifier")
    row: int = Field(ge=0, le=31, description="the unit of the layer (output index)")
    col: int | None = Field(ge=0, le=31, description="input index; null sets the bias")
    value: float = Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)


Coordinate = Annotated[float, Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE)]


class AddPoint(StrictModel):
    """Add a point of class ``label`` at (x, y) in the input plane."""

    type: Literal["add_point"]
    x: Coordinate
    y: Coordinate
    label: int = Field(ge=0, le=5)
    test: bool = Field(False, description="add it to the test set instead of the training set")


class RemovePoint(StrictModel):
    """Remove the point nearest (x, y), however far it is."""

    type: Literal["remove_point"]
    x: Coordinate
    y: Coordinate


class ClearPoints(StrictModel):
    type: Literal["clear_points"]


class UndoPoints(StrictModel):
    """Take back the last hand edit of the points (added, removed, cleared, a CSV file)."""

    type: Literal["undo_points"]


Weight = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)]


class SetLayer(StrictModel):
    """Set a whole layer by hand: its weight matrix, its bias, or both."""

    type: Literal["set_layer"]
    layer: int = Field(ge=1, le=11, description="1-based; depth + 1 is the classifier")
    weight: list[list[Weight]] | None = Field(None, max_length=32)
    bias: list[Weight] | None = Field(None, max_length=32)

    @model_validator(mode="after")
    def _sets_something(self) -> SetLayer:
        if self.weight is None and self.bias is None:
            raise ValueError("set_layer needs a weight, a bias or both")
        return self


class Ack(StrictModel):
    type: Literal["ack"]


class Configure(StrictModel):
    type: Literal["configure"]
    changes: dict[str, dict[str, Any]]


#: A lesson's name (its file name without .json), and the most steps a lesson has.
LESSON_NAME = r"^[a-z0-9][a-z0-9-]{0,63}$"
MAX_LESSON_STEPS = 50


class ShowLesson(StrictModel):
    """The lesson step the page shows (followers see its caption): ``name`` null for none."""

    type: Literal["lesson"]
    name: str | None = Field(
        pattern=LESSON_NAME, description="a lesson of GET /api/lessons, or null"
    )
    step: int = Field(0, ge=0, le=MAX_LESSON_STEPS - 1, description="0-based, within the lesson")


#: Every message a client may send, told apart by ``type``: the one list of them. A message
#: added here that server.connection does not handle fails the type check (assert_never);
#: server.follow refuses every message but ack and ping.
AnyMessage = (
    Play
    | Pause
    | Step
    | Reset
    | Configure
    | SetWeight
    | SetLayer
    | AddPoint
    | RemovePoint
    | ClearPoints
    | UndoPoints
    | ShowLesson
    | Ping
    | Ack
)
ClientMessage = Annotated[AnyMessage, Field(discriminator="type")]
MESSAGES: tuple[type[StrictModel], ...] = get_args(AnyMessage)


def message_tag(message: type[StrictModel]) -> str:
    tag: str = get_args(message.model_fields["type"].annotation)[0]
    return tag


CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


Config = TypeVar("Config", bound=StrictModel)


def merge_config(config: Config, changes: dict[str, dict[str, Any]]) -> Config:
    """``config`` with ``changes`` merged in, validated. Raises pydantic.ValidationError."""
    merged = config.model_dump()
    for section, values in changes.items():
        if section in merged and isinstance(values, dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values  # validation names the unknown section
    return type(config).model_validate(merged)


def field_entry(prop: dict[str, Any]) -> dict[str, Any]:
    # An optional field (``X | None``) is described by its non-null form, marked nullable.
    variants = [v for v in prop.get("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1:
        prop = {**variants[0], **{k: v for k, v in prop.items() if k != "anyOf"}, "nullable": True}
    entry: dict[str, Any] = {"type": prop.get("type", "string"), "default": prop.get("default")}
    if prop.get("nullable"):
        entry["nullable"] = True
    if "enum" in prop:
        entry["choices"] = prop["enum"]
    elif "const" in prop:
        entry["choices"] = [prop["const"]]
    limits = (
        ("minimum", "min"),
        ("maximum", "max"),
        ("exclusiveMinimum", "min"),
        ("minItems", "min_items"),
        ("maxItems", "max_items"),
    )
    for key, out in limits:
        if key in prop:
            entry[out] = prop[key]
    if "exclusiveMinimum" in prop:
        entry["min_exclusive"] = True
    if "description" in prop:
        entry["description"] = prop["description"]
    return entry


def field_table() -> dict[str, dict[str, Any]]:
    """Every config field as ``{"model.width": {"type", "min", "max", "choices", "default"}}``."""
    schema = ExperimentConfig.model_json_schema()
    defs = schema["$defs"]
    table: dict[str, dict[str, Any]] = {}
    for section, ref in schema["properties"].items():
        sub = defs[ref["$ref"].split("/")[-1]]
        for name, prop in sub["properties"].items():
            table[f"{section}.{name}"] = field_entry(prop)
    return table


def message_field_table(messages: tuple[type[StrictModel], ...]) -> dict[str, dict[str, Any]]:
    """The fields of the control messages, as ``{"step.count": {...}}``."""
    table: dict[str, dict[str, Any]] = {}
    for message in messages:
        tag = message_tag(message)
        for name, prop in message.model_json_schema()["properties"].items():
            if name != "type":
                table[f"{tag}.{name}"] = field_entry(prop)
    return table


def describe(entry: dict[str, Any]) -> str | None:
    """What a field of :func:`field_table` accepts, in a few words."""
    if "choices" in entry:
        return "one of " + ", ".join(str(c) for c in entry["choices"])
    if "min" in entry and "max" in entry:
        low = f"above {entry['min']}" if entry.get("min_exclusive") else f"from {entry['min']}"
        return f"{low} up to {entry['max']}"
    return None


def allowed_text(field: str) -> str | None:
    """A short description of what ``field`` (a dotted config or message path) accepts."""
    if field == "type":
        return "one of " + ", ".join(MESSAGE_TYPES)
    entry = FIELDS.get(field) or MESSAGE_FIELDS.get(field)
    return None if entry is None else describe(entry)


FIELDS = field_table()
MESSAGE_FIELDS = message_field_table(MESSAGES)
MESSAGE_TYPES = tuple(message_tag(m) for m in MESSAGES)
