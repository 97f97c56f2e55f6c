"""The compiled parts of a frame against the numpy ways they replace: the same answers."""

import numpy as np
import pytest

import nets.merging
from engine import packing
from engine.encoding import (
    COORD_TOP,
    NAN_CODE,
    Coords,
    RegionCode,
    decode_frame,
    encode_frame,
    read_header,
)
from nets.merging import merged_points_each
from tests.oracle import merged_by_pairs


def _clouds(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    out = []
    for _ in range(int(rng.integers(1, 4))):
        width = int(rng.integers(1, 5))
        z = rng.integers(0, 40, size=(n, width)) * 0.1 + rng.normal(size=(n, width)) * 1e-3
        z[rng.random(n) < 0.3] = 0.0  # a pile on the origin, as a fold leaves it
        if rng.random() < 0.5:
            z = np.maximum(z, 0)
        if rng.random() < 0.2:
            z[rng.integers(0, n)] = np.nan
        out.append(z.astype(np.float32))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_small_clouds_merge_as_the_sweep_and_every_pair_say(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 400))
    labels = rng.integers(0, 3, size=n).astype(np.uint8)
    clouds = _clouds(rng, n)
    compiled = merged_points_each(clouds, labels)
    monkeypatch.setattr(nets.merging, "COMPILED_POINTS", 0)  # the sweep and the trees
    swept = merged_points_each(clouds, labels)
    for cloud, got, want in zip(clouds, compiled, swept, strict=True):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(got, merged_by_pairs(cloud, labels))
    assert any(m.any() for m in compiled) and not all(m.all() for m in compiled)


def test_a_pile_of_one_class_beside_a_point_of_another_within_the_tolerance() -> None:
    z = np.zeros((300, 2), np.float32)
    z[-1] = (1e-4, 0.0)  # within 1e-3 of the extent (1.0) of the pile
    z[0] = (1.0, 1.0)
    labels = np.zeros(300, np.uint8)
    labels[-1] = 1
    (got,) = merged_points_each([z], labels)
    np.testing.assert_array_equal(got, merged_by_pairs(z, labels))
    assert got[1:].all() and not got[0]


def _numpy_coords(values: np.ndarray) -> tuple[np.ndarray, list[float], list[float]]:
    """The packing as numpy expressions, one array."""
    flat = values.reshape(-1, values.shape[-1])
    finite = np.isfinite(flat)
    low = np.where(finite, flat, np.inf).min(axis=0)
    high = np.where(finite, flat, -np.inf).max(axis=0)
    low[~np.isfinite(low)] = 0
    high[~np.isfinite(high)] = 0
    span = high.astype(np.float64) - low
    scale = np.zeros_like(span)
    np.divide(COORD_TOP, span, out=scale, where=span > 0)
    steps = (np.where(finite, flat, low) - low.astype(np.float64)) * scale
    codes = np.clip(np.rint(steps), 0, COORD_TOP).astype("<u2")
    codes[~finite] = NAN_CODE
    return codes.reshape(values.shape), low.tolist(), high.tolist()


def test_coordinates_pack_to_the_codes_numpy_gives() -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=(50, 2)).astype(np.float32) * 10 ** rng.uniform(-3, 3) for _ in "ab"]
    arrays.append(np.full((4, 2), 2.5, np.float32))  # no span: every code 0
    arrays[0][3, 1] = np.nan
    arrays[1][:, 0] = np.inf  # a column with no finite value
    frame = encode_frame({}, {f"c{i}": Coords(a) for i, a in enumerate(arrays)})
    entries = read_header(frame)["arrays"]
    for entry, values in zip(entries, arrays, strict=True):
        codes, low, high = _numpy_coords(values)
        got = np.frombuffer(frame, "<u2", codes.size, entry["offset"]).reshape(codes.shape)
        np.testing.assert_array_equal(got, codes)
        assert (entry["low"], entry["high"]) == (low, high)
    decode_frame(frame)


@pytest.mark.parametrize("classes", [2, 3, 7])
def test_region_codes_pack_to_the_bytes_numpy_gives(classes: int) -> None:
    rng = np.random.default_rng(classes)
    label = rng.integers(0, classes, size=500).astype(np.uint8)
    conf = rng.uniform(1 / classes, 1, size=500).astype(np.float32)
    conf[:3] = (np.nan, 1 / classes, 1.0)
    k = max(2, classes)
    steps = 256 // k
    floor = 1.0 / k
    level = np.rint((np.nan_to_num(conf, nan=floor) - floor) / (1 - floor) * (steps - 1))
    want = (label.astype(np.int64) * steps + np.clip(level, 0, steps - 1)).astype(np.uint8)
    np.testing.assert_array_equal(packing.pack_regions(label, conf, k, steps), want)
    frame = encode_frame({}, {"r/code": RegionCode(label, conf, classes)})
    _, arrays = decode_frame(frame)
    np.testing.assert_array_equal(arrays["r/label"], label)
