"""Binary frames: a JSON header naming each array, then the arrays' raw little-endian bytes.

Layout (see docs/protocol.md): uint32 LE header length, the UTF-8 JSON header, zero padding
to a multiple of 8, then every array at the byte offset its header entry gives.

Two packings keep a frame small without changing what the views read:
- :class:`Coords` (points, grid lines): uint16 steps between each column's low and high, the
  top code meaning NaN (a diverged network); decoded back to float32.
- :class:`RegionCode` (decision regions): one byte per cell holding the winning class and its
  confidence; decoded back to ``…/label`` (uint8) and ``…/conf`` (float32).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

PROTOCOL = 1
ALIGN = 8
DTYPES: dict[str, np.dtype[Any]] = {
    "float32": np.dtype("<f4"), "uint8": np.dtype("u1"), "uint16": np.dtype("<u2")}
COORD_TOP = 65534  # codes 0..65534 span [low, high]; 65535 is NaN
NAN_CODE = 65535
OFFSET_DIGITS = 10  # an offset below 10 GB fits in the room left for it
SIGNIFICANT = 7  # digits kept of every float in the header (float32 precision)


@dataclass(frozen=True)
class Coords:
    """(…, d) float coordinates to send as uint16 steps between each column's min and max."""

    values: np.ndarray


@dataclass(frozen=True)
class RegionCode:
    """A region grid's winning class (uint8) and its confidence (in [1/K, 1]) as one byte."""

    label: np.ndarray
    conf: np.ndarray
    classes: int


Packable = np.ndarray | Coords | RegionCode


def levels(classes: int) -> int:
    """How many confidence levels one byte leaves for each of ``classes`` classes."""
    return 256 // max(2, classes)


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def compact(value: Any) -> Any:
    """The header with every float cut to SIGNIFICANT digits (the arrays are float32 too)."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [compact(item) for item in value]
    return value


def _pack_coords(coords: Coords) -> tuple[np.ndarray, dict[str, Any]]:
    values = np.asarray(coords.values, dtype=np.float32)
    flat = values.reshape(-1, values.shape[-1]) if values.ndim > 1 else values.reshape(-1, 1)
    finite = np.isfinite(flat)
    whole = bool(finite.all())  # the usual case: no NaN to step around
    if whole:
        low = flat.min(axis=0, initial=np.inf)
        high = flat.max(axis=0, initial=-np.inf)
    else:
        low = np.where(finite, flat, np.inf).min(axis=0, initial=np.inf)
        high = np.where(finite, flat, -np.inf).max(axis=0, initial=-np.inf)
    low = np.where(np.isfinite(low), low, 0).astype(np.float32)
    high = np.where(np.isfinite(high), high, 0).astype(np.float32)
    span = high.astype(np.float64) - low
    scale = np.zeros_like(span)
    np.divide(COORD_TOP, span, out=scale, where=span > 0)
    base = flat if whole else np.where(finite, flat, low)
    steps = (base - low.astype(np.float64)) * scale
    codes = np.clip(np.rint(steps), 0, COORD_TOP).astype("<u2")
    if not whole:
        codes[~finite] = NAN_CODE
    meta = {"low": [float(v) for v in low], "high": [float(v) for v in high]}
    return codes.reshape(values.shape), meta


def _pack_regions(code: RegionCode) -> tuple[np.ndarray, dict[str, Any]]:
    k = max(2, code.classes)
    steps = levels(k)
    floor = 1.0 / k
    level = np.rint((np.nan_to_num(code.conf, nan=floor) - floor) / (1 - floor) * (steps - 1))
    level = np.clip(level, 0, steps - 1)
    packed = (code.label.astype(np.int64) * steps + level).astype(np.uint8)
    return packed, {"classes": k}


def _pack(value: Packable) -> tuple[np.ndarray, dict[str, Any]]:
    if isinstance(value, Coords):
        return _pack_coords(value)
    if isinstance(value, RegionCode):
        return _pack_regions(value)
    return value, {}


def encode_frame(header: dict[str, Any], arrays: Mapping[str, Packable]) -> bytes:
    """Pack ``arrays`` behind ``header``; adds ``header["arrays"]``. Plain arrays must be
    float32 or uint8; :class:`Coords` and :class:`RegionCode` are packed as described above."""
    entries: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    for name, value in arrays.items():
        array, meta = _pack(value)
        dtype = next((k for k, v in DTYPES.items() if v == array.dtype.newbyteorder("<")), None)
        if dtype is None:
            raise TypeError(f"array {name!r} is {array.dtype}; frames carry float32 or uint8")
        data = np.ascontiguousarray(array).astype(DTYPES[dtype], copy=False).tobytes()
        entries.append({"name": name, "dtype": dtype, "shape": list(array.shape), "offset": 0,
                        **meta})
        blobs.append(data)
    # The header holds the offsets and the offsets follow the header: grow the slot until the
    # header fits in front of the offsets it names (a few rounds at most: offsets only grow).
    # With every offset 0 the header is as short as it gets; real offsets add at most
    # OFFSET_DIGITS characters each. Leave that room, then place the arrays after it (the
    # header's length is stated, so the unused room is just padding).
    body = compact(header)
    head = json.dumps({**body, "arrays": entries}, separators=(",", ":")).encode()
    start = _aligned(4 + len(head) + OFFSET_DIGITS * len(entries))
    offset = start
    for entry, blob in zip(entries, blobs, strict=True):
        entry["offset"] = offset
        offset = _aligned(offset + len(blob))
    head = json.dumps({**body, "arrays": entries}, separators=(",", ":")).encode()
    assert 4 + len(head) <= start
    out = bytearray(start)
    struct.pack_into("<I", out, 0, len(head))
    out[4 : 4 + len(head)] = head
    for entry, blob in zip(entries, blobs, strict=True):
        out.extend(bytes(entry["offset"] - len(out)))
        out.extend(blob)
    return bytes(out)


def _unpack(entry: dict[str, Any], raw: np.ndarray) -> dict[str, np.ndarray]:
    """One entry's arrays as the views read them (float32 coordinates; label and conf)."""
    name = entry["name"]
    if "low" in entry:
        low = np.asarray(entry["low"], dtype=np.float64)
        high = np.asarray(entry["high"], dtype=np.float64)
        flat = raw.reshape(-1, len(low)).astype(np.float64)
        values = low + flat / COORD_TOP * (high - low)
        values[raw.reshape(-1, len(low)) == NAN_CODE] = np.nan
        return {name: values.astype(np.float32).reshape(raw.shape)}
    if "classes" in entry:
        k = int(entry["classes"])
        steps = levels(k)
        base = name.rsplit("/", 1)[0]
        floor = 1.0 / k
        conf = floor + (raw % steps).astype(np.float32) / (steps - 1) * (1 - floor)
        return {f"{base}/label": (raw // steps).astype(np.uint8),
                f"{base}/conf": conf.astype(np.float32)}
    return {name: raw}


def read_header(message: bytes) -> dict[str, Any]:
    """Only the header of a frame (what a client that needs no arrays reads)."""
    if len(message) < 4:
        raise ValueError("frame shorter than its length prefix")
    (length,) = struct.unpack_from("<I", message, 0)
    header: dict[str, Any] = json.loads(message[4 : 4 + length].decode())
    return header


def decode_frame(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The inverse of :func:`encode_frame`: the header and every array, by name, unpacked."""
    header = read_header(message)
    arrays: dict[str, np.ndarray] = {}
    for entry in header["arrays"]:
        dtype = DTYPES[entry["dtype"]]
        count = int(np.prod(entry["shape"], dtype=np.int64))
        flat = np.frombuffer(message, dtype=dtype, count=count, offset=entry["offset"])
        arrays.update(_unpack(entry, flat.reshape(entry["shape"])))
    return header, arrays
