"""Binary frames: a JSON header naming each array, then the arrays' raw little-endian bytes.

Layout (see docs/protocol.md): uint32 LE header length, the UTF-8 JSON header, zero padding
to a multiple of 8, then every array at the byte offset its header entry gives.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

PROTOCOL = 1
ALIGN = 8
DTYPES: dict[str, np.dtype[Any]] = {"float32": np.dtype("<f4"), "uint8": np.dtype("u1")}


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def encode_frame(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """Pack ``arrays`` (float32 or uint8) behind ``header``; adds ``header["arrays"]``."""
    entries: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    for name, array in arrays.items():
        dtype = next((k for k, v in DTYPES.items() if v == array.dtype.newbyteorder("<")), None)
        if dtype is None:
            raise TypeError(f"array {name!r} is {array.dtype}; frames carry float32 or uint8")
        data = np.ascontiguousarray(array).astype(DTYPES[dtype], copy=False).tobytes()
        entries.append({"name": name, "dtype": dtype, "shape": list(array.shape), "offset": 0})
        blobs.append(data)
    # The header holds the offsets and the offsets follow the header: grow the slot until the
    # header fits in front of the offsets it names (a few rounds at most: offsets only grow).
    start = 0
    while True:
        offset = start
        for entry, blob in zip(entries, blobs, strict=True):
            entry["offset"] = offset
            offset = _aligned(offset + len(blob))
        head = json.dumps({**header, "arrays": entries}, separators=(",", ":")).encode()
        if 4 + len(head) <= start:
            break
        start = _aligned(4 + len(head))
    out = bytearray(start)
    struct.pack_into("<I", out, 0, len(head))
    out[4 : 4 + len(head)] = head
    for entry, blob in zip(entries, blobs, strict=True):
        out.extend(bytes(entry["offset"] - len(out)))
        out.extend(blob)
    return bytes(out)


def decode_frame(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The inverse of :func:`encode_frame`: the header and every array, by name."""
    if len(message) < 4:
        raise ValueError("frame shorter than its length prefix")
    (length,) = struct.unpack_from("<I", message, 0)
    header: dict[str, Any] = json.loads(message[4 : 4 + length].decode())
    arrays: dict[str, np.ndarray] = {}
    for entry in header["arrays"]:
        dtype = DTYPES[entry["dtype"]]
        count = int(np.prod(entry["shape"], dtype=np.int64))
        flat = np.frombuffer(message, dtype=dtype, count=count, offset=entry["offset"])
        arrays[entry["name"]] = flat.reshape(entry["shape"])
    return header, arrays
