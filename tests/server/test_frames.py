import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from server.frames import decode_frame, encode_frame

float_arrays = arrays(np.float32, array_shapes(min_dims=1, max_dims=3, max_side=9),
                      elements=st.floats(width=32, allow_nan=False))
byte_arrays = arrays(np.uint8, array_shapes(min_dims=1, max_dims=2, max_side=17))


@given(
    st.dictionaries(st.text(min_size=1, max_size=12), st.one_of(float_arrays, byte_arrays),
                    max_size=6),
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
