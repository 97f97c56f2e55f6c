"""A frame's layout is worked out once for its arrays' names and shapes, and its header is
written by a faster route than ``json.dumps(compact(...))``: both must give the frame that
the plain way gives, frame after frame."""

import json
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.encoding import Coords, Packable, RegionCode, compact, decode_frame, encode_frame
from tests.oracle import assert_conf, assert_coords


def _arrays(points: int, width: int, side: int, classes: int) -> dict[str, Packable]:
    """A frame's arrays under the same names whatever their sizes (as a network's change of
    width or a view's change of resolution leaves them)."""
    rng = np.random.default_rng(points + 10 * width + 100 * side + 1000 * classes)
    label = rng.integers(0, classes, (side, side)).astype(np.uint8)
    conf = rng.uniform(1 / classes, 1, (side, side)).astype(np.float32)
    return {
        "labels": rng.integers(0, classes, points).astype(np.uint8),
        "stage1/points": Coords(rng.normal(size=(points, width)).astype(np.float32)),
        "region/code": RegionCode(label, conf, classes),
        "region/x": np.linspace(-1, 1, side, dtype=np.float32),
        "stage1/grid": Coords(rng.normal(size=(3, side, width)).astype(np.float32) * 5),
    }


def _assert_reads_as(message: bytes, arrays: dict[str, Packable]) -> None:
    """``message`` decodes to ``arrays``: the same shapes, the same values (to within a step
    of their packing)."""
    header, got = decode_frame(message)
    assert [entry["name"] for entry in header["arrays"]] == list(arrays)
    for name, value in arrays.items():
        if isinstance(value, Coords):
            assert got[name].shape == value.values.shape
            assert_coords(got[name], value.values)
        elif isinstance(value, RegionCode):
            assert got["region/label"].shape == value.label.shape
            np.testing.assert_array_equal(got["region/label"], value.label)
            assert_conf(got["region/conf"], value.conf, value.classes)
        else:
            assert got[name].shape == value.shape
            np.testing.assert_array_equal(got[name], value)


def test_a_frame_after_a_change_of_shapes_reads_as_its_own_arrays() -> None:
    first = _arrays(points=40, width=2, side=5, classes=2)
    wider = _arrays(points=40, width=3, side=5, classes=2)
    finer = _arrays(points=41, width=3, side=8, classes=3)
    more_classes = _arrays(points=41, width=3, side=8, classes=5)
    message = encode_frame({"step": 1}, first)
    _assert_reads_as(message, first)
    _assert_reads_as(encode_frame({"step": 2}, wider), wider)
    _assert_reads_as(encode_frame({"step": 3}, finer), finer)
    _assert_reads_as(encode_frame({"step": 4}, more_classes), more_classes)
    assert encode_frame({"step": 1}, first) == message  # back to the first layout


def test_a_plain_array_that_changes_dtype_is_checked_again() -> None:
    encode_frame({}, {"x": np.zeros(3, np.float32)})
    with pytest.raises(TypeError, match="float32 or uint8"):
        encode_frame({}, {"x": np.zeros(3, np.float64)})
    big_endian = np.arange(3, dtype=">f4")
    _, got = decode_frame(encode_frame({}, {"x": big_endian}))
    np.testing.assert_array_equal(got["x"], big_endian)


def _header_text(fields: dict[str, Any]) -> str:
    message = encode_frame(fields, {})
    (length,) = struct.unpack_from("<I", message)
    return message[4 : 4 + length].decode()


def _as_json_writes_it(fields: dict[str, Any]) -> str:
    return json.dumps({**compact(fields), "arrays": []}, separators=(",", ":"))


@pytest.mark.parametrize(
    "value",
    [
        200.0,
        -0.0,
        0.1 + 0.2,
        1234567.0,  # SHOWN writes an exponent here, JSON does not
        9999999.5,  # cut to 1e7
        1e15,
        1e16,
        1.7976931348623157e308,
        1e-4,
        1.5e-5,
        1e-300,
        5e-324,  # subnormal: fewer digits than SIGNIFICANT
        2.2250738585072014e-308,
        float("nan"),
        float("inf"),
        -float("inf"),
        np.float64(1 / 3),
    ],
)
def test_each_float_of_the_header_reads_as_compact_writes_it(value: float) -> None:
    fields = {"value": value, "list": [value, 1.0, "x"], "nested": {"v": (value,)}}
    assert _header_text(fields) == _as_json_writes_it(fields)


def test_a_string_like_the_float_mark_is_written_as_it_is() -> None:
    fields = {"mark": "\x00", 'a"\x00': [1.5, "\x00"], "percent": "%s %d %%", "f": 0.25}
    assert _header_text(fields) == _as_json_writes_it(fields)


headers = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(deadline=None)
@given(st.dictionaries(st.text(max_size=6), headers, max_size=6))
def test_the_header_reads_as_json_writes_it_compacted(fields: dict[str, Any]) -> None:
    fields.pop("arrays", None)  # the frame's own
    assert _header_text(fields) == _as_json_writes_it(fields)
