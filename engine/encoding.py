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

from engine import packing

PROTOCOL = 1
ALIGN = 8
DTYPES: dict[str, np.dtype[Any]] = {
    "float32": np.dtype("<f4"),
    "uint8": np.dtype("u1"),
    "uint16": np.dtype("<u2"),
}
DTYPE_NAMES = {(t.kind, t.itemsize): name for name, t in DTYPES.items()}
COORD_TOP = 65534  # codes 0..65534 span [low, high]; 65535 is NaN
NAN_CODE = 65535
OFFSET_DIGITS = 10  # an offset below 10 GB fits in the room left for it
SIGNIFICANT = 7  # digits kept of every float in the header (float32 precision)
SHORT = f".{SIGNIFICANT}g"


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


#: Header values :func:`compact` passes on as they are.
_PLAIN = frozenset({int, str, bool, type(None)})


def compact(value: Any) -> Any:
    """The header with every float cut to SIGNIFICANT digits (the arrays are float32 too).
    Floats and plain values inside a dict or list are handled in place, without a call each
    (a header holds a few hundred of them)."""
    kind = type(value)
    if kind is float:
        return float(format(value, SHORT)) if math.isfinite(value) else value
    if kind is dict:
        return {
            key: (float(format(item, SHORT)) if math.isfinite(item) else item)
            if type(item) is float
            else item
            if type(item) in _PLAIN
            else compact(item)
            for key, item in value.items()
        }
    if kind is list or kind is tuple:
        return [
            (float(format(item, SHORT)) if math.isfinite(item) else item)
            if type(item) is float
            else item
            if type(item) in _PLAIN
            else compact(item)
            for item in value
        ]
    if isinstance(value, float | dict | list | tuple):  # subclasses: the slow way
        return compact(
            float(value)
            if isinstance(value, float)
            else dict(value)
            if isinstance(value, dict)
            else list(value)
        )
    return value


def _pack_coords(group: list[Coords]) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """Pack every array of ``group`` (all with the same last axis) in one compiled pass over
    the arrays stacked row-wise (:func:`engine.packing.pack_coords`)."""
    values = [np.asarray(c.values, dtype=np.float32) for c in group]
    flats = [v.reshape(-1, v.shape[-1]) if v.ndim > 1 else v.reshape(-1, 1) for v in values]
    rows = [len(f) for f in flats]
    stacked = np.concatenate(flats) if len(flats) > 1 else flats[0]
    codes, low, high = packing.pack_coords(
        np.ascontiguousarray(stacked), np.array(rows, dtype=np.intp), COORD_TOP, NAN_CODE
    )
    out: list[tuple[np.ndarray, dict[str, Any]]] = []
    end = 0
    for value, size, least, most in zip(values, rows, low.tolist(), high.tolist(), strict=True):
        end += size
        out.append((codes[end - size : end].reshape(value.shape), {"low": least, "high": most}))
    return out


def _pack_regions(group: list[RegionCode]) -> list[tuple[np.ndarray, dict[str, Any]]]:
    """Pack every region grid of ``group`` (all with the same number of classes) at once."""
    k = max(2, group[0].classes)
    steps = levels(k)
    conf = np.concatenate([np.ravel(code.conf) for code in group])
    label = np.concatenate([np.ravel(code.label) for code in group])
    if conf.dtype == np.float32:  # as frames have them: the compiled pass
        packed = packing.pack_regions(label, conf, k, steps)
    else:  # numpy's arithmetic in the confidences' own precision
        floor = 1.0 / k
        level = np.rint((np.nan_to_num(conf, nan=floor) - floor) / (1 - floor) * (steps - 1))
        level = np.clip(level, 0, steps - 1)
        packed = (label.astype(np.int64) * steps + level).astype(np.uint8)
    out: list[tuple[np.ndarray, dict[str, Any]]] = []
    start = 0
    for code in group:
        size = np.size(code.label)
        out.append((packed[start : start + size].reshape(np.shape(code.label)), {"classes": k}))
        start += size
    return out


GroupKey = tuple[str, int]


def _group_of(value: Coords | RegionCode) -> GroupKey:
    """Arrays packed together: coordinates with the same width, regions with as many classes."""
    if isinstance(value, RegionCode):
        return ("regions", max(2, value.classes))
    shape = np.shape(value.values)
    return ("coords", int(shape[-1]) if len(shape) > 1 else 1)


def _pack_all(arrays: Mapping[str, Packable]) -> dict[str, tuple[np.ndarray, dict[str, Any]]]:
    """Every array packed, by name; coordinates (and regions) alike are packed together."""
    packed: dict[str, tuple[np.ndarray, dict[str, Any]]] = {}
    coords: dict[GroupKey, list[tuple[str, Coords]]] = {}
    regions: dict[GroupKey, list[tuple[str, RegionCode]]] = {}
    for name, value in arrays.items():
        if isinstance(value, Coords):
            coords.setdefault(_group_of(value), []).append((name, value))
        elif isinstance(value, RegionCode):
            regions.setdefault(_group_of(value), []).append((name, value))
        else:
            packed[name] = (value, {})
    for named_coords in coords.values():
        names, values = zip(*named_coords, strict=True)
        packed.update(zip(names, _pack_coords(list(values)), strict=True))
    for named_regions in regions.values():
        names, codes = zip(*named_regions, strict=True)
        packed.update(zip(names, _pack_regions(list(codes)), strict=True))
    return packed


def _dtype_name(array: np.ndarray) -> str | None:
    """The frame's name for ``array``'s dtype (either byte order), if frames carry it."""
    return DTYPE_NAMES.get((array.dtype.kind, array.dtype.itemsize))


def encode_frame(header: dict[str, Any], arrays: Mapping[str, Packable]) -> bytes:
    """Pack ``arrays`` behind ``header`` (sent with an ``arrays`` list added). Plain arrays must be
    float32 or uint8; :class:`Coords` and :class:`RegionCode` are packed as described above."""
    entries: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    packed = _pack_all(arrays)
    for name in arrays:
        array, meta = packed[name]
        dtype = _dtype_name(array)
        if dtype is None:
            raise TypeError(f"array {name!r} is {array.dtype}; frames carry float32 or uint8")
        entries.append(
            {"name": name, "dtype": dtype, "shape": list(array.shape), "offset": 0, **meta}
        )
        blobs.append(array.astype(DTYPES[dtype], copy=False).tobytes())  # C order, little-endian
    # The header holds the offsets and the offsets follow the header. Real offsets add at most
    # OFFSET_DIGITS characters each to a header listing them as 0: leave that room, then place
    # the arrays after it (the header's length is stated, so the unused room is padding).
    fields = {key: value for key, value in header.items() if key != "arrays"}
    body = json.dumps(compact(fields), separators=(",", ":")).encode()
    body = body[:-1] + (b',"arrays":' if len(body) > 2 else b'"arrays":')
    # Every entry's offset is 0 in ``listed``; the real ones replace those zeros (a name can't
    # hold the pattern: its quotes would be escaped).
    listed = json.dumps(entries, separators=(",", ":")).encode().split(b'"offset":0')
    assert len(listed) == len(entries) + 1
    start = _aligned(
        4
        + len(body)
        + sum(map(len, listed))
        + 1
        + (len(b'"offset":') + OFFSET_DIGITS) * len(entries)
    )
    offset = end = start
    offsets = []
    for blob in blobs:
        offsets.append(offset)
        end = offset + len(blob)
        offset = _aligned(end)
    head = (
        body
        + b"".join(part + b'"offset":%d' % at for part, at in zip(listed, offsets, strict=False))
        + listed[-1]
        + b"}"
    )
    assert 4 + len(head) <= start
    # The pieces joined once: the length, the header, then each array after its padding.
    parts = [struct.pack("<I", len(head)), head]
    at = 4 + len(head)
    for place, blob in zip(offsets, blobs, strict=True):
        parts += (bytes(place - at), blob)
        at = place + len(blob)
    return b"".join(parts)


def region_names(code_name: str) -> tuple[str, str]:
    """The names a region code (``…/code``) is read under: its ``…/label`` and ``…/conf``."""
    base = code_name.rsplit("/", 1)[0]
    return f"{base}/label", f"{base}/conf"


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
        floor = 1.0 / k
        conf = floor + (raw % steps).astype(np.float32) / (steps - 1) * (1 - floor)
        label_name, conf_name = region_names(name)
        return {label_name: (raw // steps).astype(np.uint8), conf_name: conf.astype(np.float32)}
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
