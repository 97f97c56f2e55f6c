"""Binary frames: a JSON header naming each array, then the arrays' raw little-endian bytes.

Layout (see docs/protocol.md): uint32 LE header length, the UTF-8 JSON header, zero padding
to a multiple of 8, then every array at the byte offset its header entry gives.

Two packings keep a frame small without changing what the views read:
- :class:`Coords` (points, grid lines): uint16 steps between each column's low and high, the
  top code meaning NaN (a diverged network); decoded back to float32.
- :class:`RegionCode` (decision regions): one byte per cell holding the winning class and its
  confidence; decoded back to ``…/label`` (uint8) and ``…/conf`` (float32).

Frames with the same arrays (names, kinds and shapes) share a layout, worked out once
(:func:`_layout`): a frame then only packs its arrays and writes the numbers that change.
"""

from __future__ import annotations

import functools
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


#: The header's fields as JSON (what :func:`compact` returns holds no cycles to look for).
_HEADER_JSON = json.JSONEncoder(check_circular=False, separators=(",", ":"))
#: Stands for each float of the header while the C encoder writes the rest.
_MARK = "\x00"
_MARK_JSON = _HEADER_JSON.encode(_MARK)
#: Cuts a float as SHORT does, but keeps a point where SHORT would leave none ("200.0").
_SHOWN = f".{SIGNIFICANT}"


def _marked(value: Any, floats: list[float]) -> Any:
    """``value`` with ``_MARK`` for each float, the floats put in ``floats`` in the order JSON
    writes them. Like :func:`compact`, it handles the floats and plain values of a dict or list
    in place, and subclasses the slow way."""
    kind = type(value)
    if kind is float:
        floats.append(value)
        return _MARK
    if kind is dict or kind is list or kind is tuple:
        out = value.copy() if kind is dict else list(value)
        for key, item in value.items() if kind is dict else enumerate(value):
            if type(item) is float:
                floats.append(item)
                out[key] = _MARK
            elif type(item) not in _PLAIN:
                out[key] = _marked(item, floats)
        return out
    if isinstance(value, float | dict | list | tuple):
        return _marked(
            float(value)
            if isinstance(value, float)
            else dict(value)
            if isinstance(value, dict)
            else list(value),
            floats,
        )
    return value


def _exact(shown: str) -> bool:
    """Whether ``shown`` (a float written with _SHOWN) is the JSON of the float it stands for: it
    is unless it has an exponent of 6 or more (JSON writes those below 1e16 in full), stands
    for a float so small it keeps fewer digits (below 1e-299), or is not finite ("nan", "inf")."""
    return "e+" not in shown and "e-3" not in shown and "n" not in shown


def _header_json(fields: dict[str, Any]) -> str:
    """``json.dumps(compact(fields))`` with compact separators, written faster: the C encoder
    writes ``fields`` with a mark for each float, then each float goes in as _SHOWN writes it.
    Cut to SIGNIFICANT digits, a float has no shorter form that reads back the same, so that is
    its JSON (``repr``) too wherever :func:`_exact` says so; the others are written the slow way.
    """
    floats: list[float] = []
    pieces = _HEADER_JSON.encode(_marked(fields, floats)).split(_MARK_JSON)
    if len(pieces) != len(floats) + 1:  # a string of the header reads as a mark
        return _HEADER_JSON.encode(compact(fields))
    shown = [format(value, _SHOWN) for value in floats]
    if not _exact(",".join(shown)):
        shown = [s if _exact(s) else _HEADER_JSON.encode(float(s)) for s in shown]
    text = [""] * (2 * len(pieces) - 1)
    text[::2] = pieces
    text[1::2] = shown
    return "".join(text)


def _pack_coords(
    values: list[np.ndarray], width: int, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pack the coordinate arrays ``values`` (all ``width`` wide, ``rows`` rows each) in one
    compiled pass over them stacked row-wise (:func:`engine.packing.pack_coords`). Returns the
    codes, stacked, and each array's bounds as a row: its columns' lows, then their highs."""
    # Rows of ``width`` (views): copied row by row, far faster than flattening strided arrays.
    flats = [value.reshape(-1, width) for value in values]
    stacked = np.concatenate(flats, dtype=np.float32, casting="unsafe")
    # One array alone comes out in its own order: the compiled pass takes rows (one compiled
    # version, loaded at the warm-up).
    stacked = np.ascontiguousarray(stacked)
    codes, low, high = packing.pack_coords(stacked, rows, COORD_TOP, NAN_CODE)
    return codes, np.concatenate((low, high), axis=1)


def _pack_regions(group: list[RegionCode], classes: int) -> np.ndarray:
    """Pack every region grid of ``group`` (all with ``classes`` classes) at once: their codes
    one after the other."""
    steps = levels(classes)
    conf = np.concatenate([code.conf for code in group], axis=None)
    label = np.concatenate([code.label for code in group], axis=None)
    packed: np.ndarray
    if conf.dtype == np.float32:  # as frames have them: the compiled pass
        packed = packing.pack_regions(label, conf, classes, steps)
    else:  # numpy's arithmetic in the confidences' own precision
        floor = 1.0 / classes
        level = np.rint((np.nan_to_num(conf, nan=floor) - floor) / (1 - floor) * (steps - 1))
        level = np.clip(level, 0, steps - 1)
        packed = (label.astype(np.int64) * steps + level).astype(np.uint8)
    return packed


def _dtype_name(dtype: np.dtype[Any]) -> str | None:
    """The frame's name for ``dtype`` (either byte order), if frames carry it."""
    return DTYPE_NAMES.get((dtype.kind, dtype.itemsize))


#: What a frame's layout depends on: each array's name, kind (``Coords``, ``RegionCode`` or a
#: plain array's dtype) and shape, and a region grid's classes.
LayoutKey = tuple[tuple[Any, ...], ...]


def _layout_key(arrays: Mapping[str, Packable]) -> LayoutKey:
    """The key of the layout of a frame with ``arrays`` (every frame builds one: kept cheap)."""
    return tuple(
        [
            (name, value.dtype, value.shape)
            if type(value) is np.ndarray
            else (name, Coords, value.values.shape)
            if isinstance(value, Coords)
            else (name, RegionCode, value.label.shape, value.classes)
            if isinstance(value, RegionCode)
            else (name, value.dtype, value.shape)
            for name, value in arrays.items()
        ]
    )


@dataclass(frozen=True)
class _Layout:
    """What frames whose arrays have the same names, kinds and shapes share: how the arrays are
    packed, their header entries and where their bytes go. A frame then only packs its arrays
    and writes their bounds and offsets (which follow from the header's length).

    The arrays are packed into *sources*: one per group of coordinates (``coords``: their places
    among the frame's arrays, their width and each one's rows), one per group of region grids
    (``regions``: their places and classes), then each plain array (``plain``: its place and the
    dtype to convert it to, if it is not sent as it is), then the zeros between arrays
    (``pads``). ``pieces`` are the bytes after the header, in order: ``(source, first, end)``
    for those rows of a source (a region grid's cells), or all of it where ``first`` is -1.

    ``entries`` is the header's list of arrays, to be %-formatted twice: first with every bound
    of the coordinates (``%r``, which writes a float as JSON does, and a bound is finite; with
    several widths, the packed bounds in the order ``bounds`` gives), then with every offset
    (``%%d``; a ``%`` of a name is ``%%%%``). The header leaves ``room`` bytes more than the
    list with its bounds in for the offsets and its closing brace; the offsets are ``places``
    past the first array's."""

    coords: tuple[tuple[tuple[int, ...], int, np.ndarray], ...]
    regions: tuple[tuple[tuple[int, ...], int], ...]
    plain: tuple[tuple[int, np.dtype[Any] | None], ...]
    pads: tuple[bytes, ...]
    pieces: tuple[tuple[int, int, int], ...]
    entries: bytes
    bounds: np.ndarray
    room: int
    places: np.ndarray


def _entry(name: str, dtype: str, shape: tuple[int, ...], meta: str) -> str:
    """One array's header entry as ``json.dumps`` writes it, ``meta`` after its offset, both as
    templates (see :class:`_Layout`)."""
    shown = json.dumps(name).replace("%", "%%%%")
    sizes = json.dumps(list(shape), separators=(",", ":"))
    return f'{{"name":{shown},"dtype":"{dtype}","shape":{sizes},"offset":%%d{meta}}}'


@functools.lru_cache(maxsize=64)
def _layout(key: LayoutKey) -> _Layout:
    """The layout of frames whose arrays have ``key`` (:func:`_layout_key`), worked out once:
    frames come with the same arrays, frame after frame, until the network or view changes."""
    groups: dict[tuple[type, int], list[int]] = {}  # by kind and width (or classes): places
    plain: list[tuple[int, np.dtype[Any] | None]] = []
    rows: list[int] = []  # each array's rows (a region grid's cells) in its source
    sizes: list[int] = []  # each array's bytes
    entries: list[str] = []
    for place, (name, kind, shape, *classes) in enumerate(key):
        count = math.prod(shape)
        if kind is Coords:
            width = shape[-1] if len(shape) > 1 else 1
            groups.setdefault((Coords, width), []).append(place)
            rows.append(math.prod(shape[:-1]) if len(shape) > 1 else count)
            sizes.append(count * DTYPES["uint16"].itemsize)
            bound = ",".join(["%r"] * width)
            entries.append(_entry(name, "uint16", shape, f',"low":[{bound}],"high":[{bound}]'))
        elif kind is RegionCode:
            k = max(2, classes[0])
            groups.setdefault((RegionCode, k), []).append(place)
            rows.append(count)
            sizes.append(count)
            entries.append(_entry(name, "uint8", shape, f',"classes":{json.dumps(k)}'))
        else:
            sent = _dtype_name(kind)
            if sent is None:
                raise TypeError(f"array {name!r} is {kind}; frames carry float32 or uint8")
            plain.append((place, None if kind == DTYPES[sent] else DTYPES[sent]))
            rows.append(0)
            sizes.append(count * DTYPES[sent].itemsize)
            entries.append(_entry(name, sent, shape, ""))
    coords = [(places, width) for (kind, width), places in groups.items() if kind is Coords]
    regions = [(places, k) for (kind, k), places in groups.items() if kind is RegionCode]
    # Each array's source and first row there, and its bounds' places among the packed ones.
    where: dict[int, tuple[int, int]] = {}
    for source, (places, _) in enumerate(coords + regions):
        first = 0
        for place in places:
            where[place] = (source, first)
            first += rows[place]
    for source, (place, _) in enumerate(plain, start=len(groups)):
        where[place] = (source, -1)
    spans: dict[int, range] = {}
    taken = 0
    for places, width in coords:
        for place in places:
            spans[place] = range(taken, taken + 2 * width)
            taken += 2 * width
    # The bytes after the header: each array at the next multiple of ALIGN; rows that follow
    # each other in a source and in the frame are one piece.
    pads: list[bytes] = []
    pieces: list[tuple[int, int, int]] = []
    offsets: list[int] = []
    end = 0
    for place, size in enumerate(sizes):
        at = _aligned(end)
        if at > end:
            pieces.append((len(groups) + len(plain) + len(pads), -1, -1))
            pads.append(bytes(at - end))
        source, first = where[place]
        if first > 0 and pieces[-1][0] == source and pieces[-1][2] == first:
            pieces[-1] = (source, pieces[-1][1], first + rows[place])
        else:
            pieces.append((source, first, first + rows[place]))
        offsets.append(at)
        end = at + size
    # With its bounds in, the list of entries is longer than it is with every offset 0 by a
    # byte an offset ("%d") and a byte a "%" of a name (still "%%"). The header leaves room for
    # offsets of OFFSET_DIGITS digits, then its closing brace.
    listed = "[" + ",".join(entries) + "]"
    longer = len(key) + sum(json.dumps(name).count("%") for name, *_ in key)
    return _Layout(
        coords=tuple(
            (tuple(places), width, np.array([rows[p] for p in places], dtype=np.intp))
            for places, width in coords
        ),
        regions=tuple((tuple(places), k) for places, k in regions),
        plain=tuple(plain),
        pads=tuple(pads),
        pieces=tuple(pieces),
        entries=listed.encode(),
        bounds=np.array([i for place in sorted(spans) for i in spans[place]], dtype=np.intp),
        room=len(key) * (OFFSET_DIGITS - 1) + 1 - longer,
        places=np.array(offsets, dtype=np.int64),
    )


def encode_frame(header: dict[str, Any], arrays: Mapping[str, Packable]) -> bytes:
    """Pack ``arrays`` behind ``header`` (sent with an ``arrays`` list added). Plain arrays must be
    float32 or uint8; :class:`Coords` and :class:`RegionCode` are packed as described above."""
    layout = _layout(_layout_key(arrays))
    values: list[Any] = list(arrays.values())
    sources: list[Any] = []
    bounds: list[np.ndarray] = []
    for places, width, rows in layout.coords:
        codes, bound = _pack_coords([values[p].values for p in places], width, rows)
        sources.append(codes)
        bounds.append(bound)
    sources += [_pack_regions([values[p] for p in places], k) for places, k in layout.regions]
    sources += [
        np.ascontiguousarray(values[p] if dtype is None else values[p].astype(dtype))
        for p, dtype in layout.plain
    ]
    sources += layout.pads
    if len(bounds) > 1:  # coordinates of several widths: their bounds in the entries' order
        bounds = [np.concatenate(bounds, axis=None)[layout.bounds]]
    numbers = bounds[0].ravel().tolist() if bounds else []
    fields = {k: v for k, v in header.items() if k != "arrays"} if "arrays" in header else header
    body = _header_json(fields).encode()
    body = body[:-1] + (b',"arrays":' if len(body) > 2 else b'"arrays":')
    # The header holds the offsets and the offsets follow the header: the header leaves room
    # for offsets of OFFSET_DIGITS digits, the arrays follow that room (the header's length is
    # stated, so the unused room is padding).
    listed = layout.entries % tuple(numbers)
    start = _aligned(4 + len(body) + len(listed) + layout.room)
    listed = listed % tuple((layout.places + start).tolist())
    size = len(body) + len(listed) + 1
    assert 4 + size <= start
    # The pieces joined once: the length, the header, then each array after its padding.
    parts = [struct.pack("<I", size), body, listed, b"}"]
    if layout.pieces:
        parts.append(bytes(start - 4 - size))
        parts += [sources[s] if at < 0 else sources[s][at:end] for s, at, end in layout.pieces]
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
