"""docs/protocol.md says what the code does: every message, event, route and frame array the code
has is documented, and nothing documented is missing from the code."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
import torch

from engine import events
from engine.conv.frame import GALLERY, NO_COPY, render_conv
from engine.conv.schemas import (
    CONV_FIELDS,
    CONV_MESSAGE_FIELDS,
    CONV_MESSAGE_TYPES,
    CONV_MESSAGES,
    MAX_VALUE,
    ConvConfig,
)
from engine.conv.session import ConvSession
from engine.encoding import SIGNIFICANT, decode_frame
from engine.projections import Projection
from engine.schemas import MESSAGES, ExperimentConfig, merge_config, message_tag
from engine.session import Session
from nets import model
from nets.signals import GLYPHS, MOTIFS
from server.app import create_app
from server.convconnection import CONV_FPS, CONV_FRAME_BUDGET
from server.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()


def says(phrase: str, text: str = DOC) -> bool:
    """``text`` holds ``phrase``, however its lines are broken."""
    return phrase in " ".join(text.split())


#: Frames of these configs between them carry every kind of array and header entry.
CONFIGS: dict[str, dict[str, Any]] = {
    "2x2": {},
    "wide": {"model": {"width": 6, "depth": 2}, "view": {"units": True}},
    "regression": {"data": {"dataset": "plane"}},
    "features": {"model": {"features": ["x1", "x2", "x1^2"]}},
    "3-wide": {"model": {"width": 3, "depth": 1}, "view": {"projection": "3d"}},
    "pca": {"model": {"width": 8, "depth": 2}, "view": {"projection": "pca"}},
    "classes": {"data": {"dataset": "spiral", "classes": 3}, "model": {"width": 1, "depth": 1}},
}


def section(heading: str) -> str:
    """The text of the doc's section ``heading``, up to the next heading of any level."""
    start = DOC.index(f"\n{heading}\n")
    end = DOC.find("\n#", start + len(heading) + 2)
    return DOC[start : end if end >= 0 else None]


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of every row of the table whose header row starts with ``header``."""
    lines = text[text.index(header) :].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def by_first_name(text: str, header: str) -> dict[str, str]:
    """A table's rows by the one name in their first cell, the rest of the row joined."""
    rows: dict[str, str] = {}
    for cells in table_rows(text, header):
        (name,) = names(cells[0])
        assert name not in rows, f"{name} has two rows"
        rows[name] = " | ".join(cells[1:])
    return rows


def test_every_client_message_and_its_fields_are_documented() -> None:
    rows = by_first_name(section("## Client → server (text, JSON)"), "| type |")
    assert set(rows) == {message_tag(m) for m in MESSAGES}
    for message in MESSAGES:
        row = rows[message_tag(message)]
        for field in message.model_fields:
            if field != "type":
                assert f"`{field}`" in row, f"{message_tag(message)}.{field} is not documented"


def reopened(session: str, state: dict[str, Any]) -> list[events.Event]:
    """The events of a session reopened from its autosave, in either mode: its tab's hello
    (with the instance, the resume key and what was restored) and its followers' ``moved``."""
    restored = {"from": "a-1", "step": 3, "age": 1.5, "final": False, "instance": "a"}
    return [
        events.hello(session, state, instance="a", resume="key", restored=restored),
        events.moved("a-2"),
    ]


def sample_events() -> list[events.Event]:
    session = Session(ExperimentConfig(), torch.device("cpu"))
    shown = {"name": "01-linear-layer", "step": 0}
    return [
        events.hello(session.id, session.state()),
        *reopened(session.id, session.state()),
        events.hello(session.id, session.state(), shown, follow=True),
        events.state(session.state(), followers=2),
        events.error("refused", "model.width", "from 1 up to 32"),
        events.diverged(3, "diverged"),
        events.pong(),
        events.lesson(shown),
        events.notice("back", "follow"),
    ]


def test_every_event_and_its_fields_are_documented() -> None:
    rows = by_first_name(section("## Server → client (text, JSON)"), "| type |")
    assert set(rows) == set(events.EVENT_TYPES)
    built = sample_events()
    assert {event["type"] for event in built} == set(events.EVENT_TYPES)
    for event in built:
        for key in event:
            if key != "type":
                assert f"`{key}`" in rows[event["type"]], f"{event['type']}.{key} undocumented"


def test_events_are_built_in_one_module() -> None:
    """No other module writes an event's ``"type": "…"`` itself."""
    root = Path(__file__).resolve().parents[2]
    tags = "|".join(events.EVENT_TYPES)
    pattern = re.compile(r"""["']type["']\s*:\s*["'](""" + tags + r""")["']""")
    found = [
        str(path.relative_to(root))
        for package in ("engine", "server", "spacefold")
        for path in (root / package).rglob("*.py")
        if path.name != "events.py" and pattern.search(path.read_text())
    ]
    assert found == []


def routes(data_dir: Path) -> set[tuple[str, str]]:
    """Every route of the JSON API, as (method, path with ``{}`` for each parameter)."""
    paths = create_app(Settings(device="cpu", data_dir=data_dir)).openapi()["paths"]
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    }


def test_every_route_is_in_the_http_table_and_the_table_is_whole(tmp_path: Path) -> None:
    text = section("## HTTP")
    rows = table_rows(text, "| request |")
    table = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    assert len(rows) == len(table.splitlines()) - 2, "a blank line splits the HTTP table"
    documented = {
        (m, re.sub(r"\{[^}]+\}", "{}", p))
        for cells in rows
        for name in names(cells[0])
        if (found := re.fullmatch(r"(GET|POST|PUT|PATCH|DELETE) (/[^\s?]+)\S*", name))
        for m, p in [found.groups()]
    }
    assert documented == routes(tmp_path)


@cache
def frame_of(config: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    session = Session(merge_config(ExperimentConfig(), CONFIGS[config]), torch.device("cpu"))
    session.train(2)
    return decode_frame(session.frame())


def pattern(name: str) -> str:
    return re.sub(r"layer\d+", "layer{l}", re.sub(r"stage\d+", "stage{k}", name))


def test_every_frame_array_is_documented_and_every_documented_one_is_sent() -> None:
    rows = by_first_name(section("## Server → client frames (binary)"), "| name |")
    sent = {pattern(name) for config in CONFIGS for name in frame_of(config)[1]}
    assert sent == set(rows)
    wire = {pattern(entry["name"]) for config in CONFIGS for entry in frame_of(config)[0]["arrays"]}
    for name in wire - sent:  # packed on the wire, unpacked by the decoder
        assert f"`{name}`" in DOC, f"{name} is not documented"


def keys(value: Any) -> set[str]:
    """Every key of every object inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys(item)}
    return set()


def test_every_header_entry_is_documented() -> None:
    text = section("## Server → client frames (binary)")
    found = {key for config in CONFIGS for key in keys(frame_of(config)[0])}
    missing = {key for key in found if f"`{key}`" not in text and f'"{key}"' not in text}
    assert missing == set()
    kinds = {stage["kind"] for config in CONFIGS for stage in frame_of(config)[0]["stages"]}
    assert kinds == set(get_args(model.StageKind))
    for word in [*get_args(model.StageKind), *get_args(Projection)]:
        assert f"`{word}`" in text


def test_the_pca_plane_is_sent_as_documented() -> None:
    header, arrays = frame_of("pca")
    stage = header["stages"][2]
    mean, basis = np.array(stage["mean"]), np.array(stage["basis"])
    assert mean.shape == (8,) and basis.shape == (2, 8)
    digits = [float(format(v, f".{SIGNIFICANT}g")) for v in basis.ravel()]
    assert basis.ravel().tolist() == digits  # 7 significant digits, as for every float
    assert any(round(v, 5) != v for v in digits)  # and not fewer
    assert says(f"{SIGNIFICANT} significant digits")
    np.testing.assert_allclose(arrays["stage2/points"].mean(axis=0), 0, atol=1e-3)


@pytest.mark.parametrize(
    ("words"),
    [
        f"slope {model.LEAKY_SLOPE:g}",
        f"\u03b1 = {model.ELU_ALPHA:g}",
        f"β = {model.SOFTPLUS_BETA:g}",
        f"βz = {model.SOFTPLUS_THRESHOLD:g}",
    ],
)
def test_the_activation_constants_are_the_documented_ones(words: str) -> None:
    assert says(words, section("## Server → client frames (binary)"))


def test_gelu_is_the_exact_one_as_documented() -> None:
    assert model.GELU_APPROXIMATE == "none"
    assert says("error function", section("## Server → client frames (binary)"))


def test_layer_stats_are_null_at_step_zero_as_documented() -> None:
    header, _ = decode_frame(Session(ExperimentConfig(), torch.device("cpu")).frame())
    assert header["step"] == 0 and header["layer_stats"] is None
    assert says("null before the network's first training step")


# ------------------------------------------------------------------- the convolution mode

MINUS = "\N{MINUS SIGN}"
CONV_CLIENT = "### Conv client → server (text, JSON)"
CONV_CONFIG = "### The conv config"
CONV_EVENTS = "### Conv server → client (text, JSON)"
CONV_FRAMES = "### Conv frames (binary)"

#: Conv frames of these configs (and a drawn input) carry every kind of array and header entry.
CONV_CONFIGS: dict[str, dict[str, Any]] = {
    "glyphs": {"view": {"compare": True}},
    "motifs": {"data": {"kind": "motifs"}, "model": {"pool": "max"}, "view": {"shift": [2]}},
    "unshared": {"model": {"unshared": True, "readout": "flatten"}, "view": {"shift": [1, -1]}},
}


@cache
def conv_frame_of(config: str, drawn: bool = False) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    session = ConvSession(merge_config(ConvConfig(), CONV_CONFIGS[config]))
    session.step(2)
    if drawn:
        session.set_input([0.5] * session.test.x[0].size)
    return decode_frame(render_conv(session))


def conv_frames() -> list[tuple[dict[str, Any], dict[str, np.ndarray]]]:
    return [conv_frame_of(c) for c in CONV_CONFIGS] + [conv_frame_of("motifs", drawn=True)]


def test_every_conv_message_and_its_fields_are_documented() -> None:
    rows = by_first_name(section(CONV_CLIENT), "| type |")
    assert set(rows) == set(CONV_MESSAGE_TYPES)
    for message in CONV_MESSAGES:
        row = rows[message_tag(message)]
        fields = [f for f in message.model_fields if f != "type"]
        for field in fields:
            assert f"`{field}`" in row.split(" | ")[0], f"{message_tag(message)}.{field}"
        if not fields:
            assert row.startswith("–")


def number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def rendered(value: Any) -> str:
    """A default as the conv config table writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {rendered(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(rendered(v) for v in value) + "]"


def test_every_conv_config_field_is_documented_with_its_range_and_default() -> None:
    rows = {}
    for cells in table_rows(section(CONV_CONFIG), "| field |"):
        (name,) = names(cells[0])
        assert name not in rows, f"{name} has two rows"
        rows[name] = cells[1:]
    assert set(rows) == set(CONV_FIELDS)
    kinds = {"integer": "int", "number": "float", "string": "string", "boolean": "bool"}
    for name, entry in CONV_FIELDS.items():
        kind, allowed, default = rows[name]
        if entry["type"] == "array":
            assert kind.startswith("["), name
        else:
            assert kind == kinds[entry["type"]], name
        if "choices" in entry:  # the choices first, all of them and nothing else
            assert names(allowed.split(":")[0]) == [str(c) for c in entry["choices"]], name
        elif entry.get("min_exclusive"):
            assert allowed.startswith(f"> {number(entry['min'])} and ≤ {number(entry['max'])}")
        elif "min" in entry:
            assert allowed.startswith(f"{number(entry['min'])}–{number(entry['max'])}"), name
        elif "max_items" in entry:  # how many entries a list holds
            most = entry["max_items"]
            assert allowed.startswith(f"{entry.get('min_items', 0)}–{most} "), name
        assert default == rendered(entry["default"]), name


def test_the_conv_motifs_and_glyphs_are_the_documented_ones() -> None:
    rows = by_first_name(section(CONV_CONFIG), "| field |")
    motifs = rows["data.motifs"].split(" | ")[1]
    assert motifs.startswith(f"1–{len(MOTIFS)} distinct of ")
    assert names(motifs.split(" (")[0]) == list(MOTIFS)
    glyphs = rows["data.glyphs"].split(" | ")[1]
    assert glyphs.startswith(f"2–{len(GLYPHS)} distinct of ")
    assert names(glyphs) == list(GLYPHS)


def conv_events() -> list[events.Event]:
    session = ConvSession()
    shown = {"name": "01-weight-sharing", "step": 0}
    return [
        events.hello(session.id, session.state()),
        *reopened(session.id, session.state()),
        events.hello(session.id, session.state(), shown, follow=True),
        events.state(session.state(), followers=1),
        events.error("refused", "model.layers.0.kernel", "from 1 up to 9"),
        events.diverged(3, "diverged"),
        events.pong(),
        events.lesson(shown),
        events.notice("back", "follow"),
    ]


def test_every_conv_event_and_its_fields_are_documented() -> None:
    rows = by_first_name(section(CONV_EVENTS), "| type |")
    assert set(rows) == set(events.EVENT_TYPES)
    for event in conv_events():
        for key in event:
            if key != "type":
                assert f"`{key}`" in rows[event["type"]], f"{event['type']}.{key} undocumented"
    assert f"`{ConvSession().state()['mode']}`" in rows["hello"]


def conv_pattern(name: str) -> str:
    by_stage = re.sub(r"^(stage|compare)/\d+$", r"\1/{k}", name)
    return re.sub(r"^(kernel|bias)/\d+$", r"\1/{l}", by_stage)


def test_every_conv_frame_array_is_documented_and_every_documented_one_is_sent() -> None:
    text = section(CONV_FRAMES)
    rows = table_rows(text, "| name |")
    documented = {}
    for cells in rows:
        (name,) = names(cells[0])
        documented[name] = cells[1]
    sent: dict[str, set[str]] = {}
    for header, _ in conv_frames():
        for entry in header["arrays"]:
            sent.setdefault(conv_pattern(entry["name"]), set()).add(entry["dtype"])
    assert set(sent) == set(documented)
    for name, dtypes in sent.items():
        assert dtypes == {documented[name]}, name


def test_every_conv_header_entry_and_stage_kind_is_documented() -> None:
    text = section(CONV_FRAMES)
    found = {key for header, _ in conv_frames() for key in keys(header)}
    missing = {key for key in found if f"`{key}`" not in text and f'"{key}"' not in text}
    assert missing == set()
    kinds = {stage["kind"] for header, _ in conv_frames() for stage in header["stages"]}
    assert kinds == {"input", "conv", "activation", "pool", "readout", "logits"}
    for kind in kinds:
        assert f"`{kind}`" in text
    assert all(header["type"] == "conv_frame" for header, _ in conv_frames())


def test_the_conv_numbers_are_the_documented_ones() -> None:
    client = section(CONV_CLIENT)
    assert says(f"at most {CONV_FPS} frames a second", client)
    assert says(f"they share {CONV_FRAME_BUDGET:g} frames a second", client)
    assert says(f"{NO_COPY} for a structural zero", section(CONV_FRAMES))
    assert says(f"the first {GALLERY} test samples", section(CONV_FRAMES))
    assert says(f'"max_value": {MAX_VALUE:g}', section(CONV_CONFIG))
    assert says(f"each {MINUS}{MAX_VALUE:g} to {MAX_VALUE:g}", client)
    assert CONV_MESSAGE_FIELDS["set_kernel.bias"]["max"] == MAX_VALUE
    assert says(f"`bias` ({MINUS}{MAX_VALUE:g} to {MAX_VALUE:g}, or null", client)
