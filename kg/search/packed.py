"""A file of named numpy arrays and a JSON header, opened as a memory map: opening reads the header only,
and every process that opens the same file shares its pages (the page cache).

Layout: ``MAGIC``, the header's length (8 bytes, little-endian), the header (UTF-8 JSON:
``{"meta": …, "arrays": {name: {"dtype", "shape", "offset"}}}``), then each array's bytes at an offset
that is a multiple of ``ALIGNMENT``.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.pack"
>>> _ = path.write_bytes(pack({"rows": np.arange(3, dtype=np.int32)}, {"note": "三"}))
>>> packed = open_packed(path)
>>> packed.meta, packed.arrays["rows"].tolist()
({'note': '三'}, [0, 1, 2])
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import StoreError

__all__ = ["ALIGNMENT", "MAGIC", "Packed", "decode_strings", "encode_strings", "open_packed", "pack"]

MAGIC = b"CNKGPACK1\n"
ALIGNMENT = 64  # bytes: every array starts at a multiple of this (a cache line; any dtype's alignment)
_LENGTH_BYTES = 8


@dataclass(frozen=True)
class Packed:
    """An opened file: its header's ``meta`` and read-only arrays backed by the file's mapping."""

    meta: Any
    arrays: Mapping[str, np.ndarray]


def pack(arrays: Mapping[str, np.ndarray], meta: Any) -> bytes:
    """The bytes of a file holding ``arrays`` (C order) and ``meta`` (anything JSON can hold)."""
    layout: dict[str, dict[str, Any]] = {}
    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    offset = 0
    for name, array in contiguous.items():
        offset = _aligned(offset)
        layout[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        offset += array.nbytes
    header = json.dumps({"meta": meta, "arrays": layout}, ensure_ascii=False).encode("utf-8")
    start = _aligned(len(MAGIC) + _LENGTH_BYTES + len(header))
    out = bytearray(start + offset)
    out[: len(MAGIC)] = MAGIC
    out[len(MAGIC) : len(MAGIC) + _LENGTH_BYTES] = len(header).to_bytes(_LENGTH_BYTES, "little")
    out[len(MAGIC) + _LENGTH_BYTES : len(MAGIC) + _LENGTH_BYTES + len(header)] = header
    for name, array in contiguous.items():
        at = start + layout[name]["offset"]
        out[at : at + array.nbytes] = array.tobytes()
    return bytes(out)


def open_packed(path: Path) -> Packed:
    """The file at ``path``, mapped read-only; a StoreError if it is not a whole file of this kind."""
    try:
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
        head = len(MAGIC) + _LENGTH_BYTES
        if bytes(mapped[: len(MAGIC)]) != MAGIC:
            raise ValueError("not a packed array file")
        length = int.from_bytes(bytes(mapped[len(MAGIC) : head]), "little")
        header = json.loads(bytes(mapped[head : head + length]).decode("utf-8"))
        start = _aligned(head + length)
        arrays: dict[str, np.ndarray] = {}
        for name, spec in header["arrays"].items():
            dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
            at = start + int(spec["offset"])
            size = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
            if at + size > len(mapped):
                raise ValueError(f"array {name!r} runs past the end of the file")
            arrays[name] = mapped[at : at + size].view(dtype).reshape(shape)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    return Packed(header["meta"], arrays)


def encode_strings(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, blob)``: string ``i`` is ``blob[offsets[i]:offsets[i + 1]]`` in UTF-8."""
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8)


def decode_strings(offsets: np.ndarray, blob: np.ndarray, i: int) -> str:
    """String ``i`` of what ``encode_strings`` returned."""
    return bytes(blob[int(offsets[i]) : int(offsets[i + 1])]).decode("utf-8")


def _aligned(offset: int) -> int:
    return -(-offset // ALIGNMENT) * ALIGNMENT
