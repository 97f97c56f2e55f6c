import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from engine.encoding import Coords, RegionCode, decode_frame, encode_frame
from tests.oracle import assert_conf, assert_coords

float_arrays = arrays(
    np.float32,
    array_shapes(min_dims=1, max_dims=3, max_side=9),
    elements=st.floats(width=32, allow_nan=False),
)
byte_arrays = arrays(np.uint8, array_shapes(min_dims=1, max_dims=2, max_side=17))


@settings(deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12), st.one_of(float_arrays, byte_arrays), max_size=6
    ),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=20), max_size=4),
)
def test_decode_inverts_encode(named: dict[str, np.ndarray], extra: dict[str, object]) -> None:
    header = {"type": "frame", "extra": extra}
    message = encode_frame(header, named)
    got_header, got = decode_frame(message)
    assert got_header["extra"] == extra
    assert list(got) == list(named)
    for name, array in named.items():
        assert got[name].dtype == array.dtype
        np.testing.assert_array_equal(got[name], array)
    for entry in got_header["arrays"]:
        assert entry["offset"] % 8 == 0  # typed-array views need aligned offsets


def test_header_length_prefix_and_layout() -> None:
    message = encode_frame({"type": "frame"}, {"a": np.array([1.5, 2.5], np.float32)})
    length = int.from_bytes(message[:4], "little")
    header_end = 4 + length
    assert message[4:header_end].startswith(b"{")
    (entry,) = decode_frame(message)[0]["arrays"]
    assert entry["offset"] >= header_end
    assert np.frombuffer(message, "<f4", 2, entry["offset"]).tolist() == [1.5, 2.5]
    assert len(message) == entry["offset"] + 8


def test_other_dtypes_are_refused() -> None:
    with pytest.raises(TypeError, match="float32 or uint8"):
        encode_frame({}, {"x": np.zeros(3, np.float64)})


coords = arrays(
    np.float32,
    st.tuples(st.integers(1, 40), st.integers(1, 3)),
    elements=st.floats(-1e4, 1e4, width=32) | st.just(float("nan")),
)


@settings(deadline=None)
@given(coords)
def test_coordinates_come_back_within_half_a_step(values: np.ndarray) -> None:
    _, got = decode_frame(encode_frame({}, {"stage1/points": Coords(values)}))
    out = got["stage1/points"]
    assert out.dtype == np.float32 and out.shape == values.shape
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))  # NaN stays NaN
    assert_coords(out, values)


@settings(deadline=None)
@given(st.integers(2, 9), st.data())
def test_region_codes_keep_the_class_and_the_confidence(classes: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 30))
    label = np.array(
        data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n)), dtype=np.uint8
    )
    conf = np.array(
        data.draw(st.lists(st.floats(1 / classes, 1.0), min_size=n, max_size=n)), dtype=np.float32
    )
    message = encode_frame({}, {"region/code": RegionCode(label, conf, classes)})
    header, got = decode_frame(message)
    assert header["arrays"][0]["dtype"] == "uint8" and len(message) < 200 + n
    np.testing.assert_array_equal(got["region/label"], label)
    assert_conf(got["region/conf"], conf, classes)
