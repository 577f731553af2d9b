"""graphrt's checkpoint file format (see docs/checkpoint_format.md) and its atomic writer.

One file per checkpoint, ``<prefix>.index``, little-endian throughout::

    header   magic b"GRTCKPT\\n" (8 bytes) | version u32 (=1) | flags u32 (=0) | count u64
    entry*   name_len u32 | name (UTF-8) | dtype u32 (TF DataType enum) | rank u32 | dims i64 * rank |
             payload_len u64 | payload
    trailer  crc32 u32 (zlib.crc32 of every byte before it)

A numeric payload is the C-order raw little-endian bytes of the tensor; a string payload is, per
element, length u64 then the bytes. Entries are sorted by name; names are unique.

The file is written atomically (temp file in the same directory, flush, fsync, ``os.replace``, fsync
of the directory), so a crash mid-save leaves the previous file intact. Any truncated, corrupted or
foreign file raises ``DataLossError`` when read.
"""
from __future__ import annotations

import os
import struct
import uuid
import zlib
from typing import Any, BinaryIO, Dict, Iterable, List, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import errors

__all__: List[str] = []

MAGIC = b"GRTCKPT\n"
VERSION = 1
DATA_SUFFIX = ".index"
MAX_RANK = 254

_HEADER = struct.Struct("<8sIIQ")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")

# dtypes a checkpoint can hold: TF DataType enum -> numpy dtype (little-endian); string is special.
_NUMERIC = {d.as_datatype_enum: np.dtype(d.as_numpy_dtype).newbyteorder("<")
            for d in (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.int8, _dtypes.int16,
                      _dtypes.int32, _dtypes.int64, _dtypes.uint8, _dtypes.uint16, _dtypes.bool)}
_STRING = _dtypes.string.as_datatype_enum


def data_path(prefix: str) -> str:
    """The file holding the checkpoint ``prefix``."""
    return prefix + DATA_SUFFIX


def _data_loss(path: str, why: str) -> errors.DataLossError:
    return errors.DataLossError(None, None, f"Unable to read checkpoint {path}: {why}; the file is "
                                            f"truncated, corrupted or not a graphrt checkpoint")


# ---- encoding ------------------------------------------------------------------------------------

def _encode_entry(name: str, dtype: _dtypes.DType, value: np.ndarray) -> Iterable[Any]:
    """Yields the byte chunks of one entry (large numeric payloads as zero-copy memoryviews)."""
    name_b = name.encode("utf-8")
    enum = dtype.as_datatype_enum
    arr = np.asarray(value)
    head = bytearray()
    head += _U32.pack(len(name_b)) + name_b + _U32.pack(enum) + _U32.pack(arr.ndim)
    for d in arr.shape:
        head += _I64.pack(int(d))
    if enum == _STRING:
        body = bytearray()
        for item in arr.reshape(-1):
            b = item.encode("utf-8") if isinstance(item, str) else bytes(item)
            body += _U64.pack(len(b)) + b
        head += _U64.pack(len(body))
        yield bytes(head)
        yield bytes(body)
        return
    if enum not in _NUMERIC:
        raise TypeError(f"Cannot save a tensor of dtype {dtype.name} in a checkpoint ({name})")
    arr = np.ascontiguousarray(arr, dtype=_NUMERIC[enum])
    head += _U64.pack(arr.nbytes)
    yield bytes(head)
    if arr.nbytes:
        yield memoryview(arr).cast("B")


def _write_all(f: BinaryIO, chunk: Any) -> None:
    """Writes one chunk (a seam for tests that simulate a crash mid-write)."""
    f.write(chunk)


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return  # platforms without directory fds: the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, chunks: Iterable[Any]) -> None:
    """Writes ``chunks`` to ``path`` atomically: temp file in the same directory, flush, fsync,
    ``os.replace``, fsync of the directory. On any failure the temp file is removed and ``path`` keeps
    its previous content."""
    directory = os.path.dirname(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    f = open(tmp, "wb")
    try:
        try:
            for chunk in chunks:
                _write_all(f, chunk)
            f.flush()
            os.fsync(f.fileno())
        finally:
            f.close()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def write_checkpoint(path: str, tensors: Dict[str, Tuple[_dtypes.DType, np.ndarray]]) -> None:
    """Writes ``{name: (dtype, value)}`` to ``path`` atomically in the checkpoint format."""
    def chunks() -> Iterable[Any]:
        crc = 0
        header = _HEADER.pack(MAGIC, VERSION, 0, len(tensors))
        crc = zlib.crc32(header, crc)
        yield header
        for name in sorted(tensors):
            dtype, value = tensors[name]
            for c in _encode_entry(name, _dtypes.as_dtype(dtype), value):
                crc = zlib.crc32(c, crc)
                yield c
        yield _U32.pack(crc & 0xFFFFFFFF)
    atomic_write(path, chunks())


# ---- decoding ------------------------------------------------------------------------------------

def read_checkpoint(path: str) -> Dict[str, np.ndarray]:
    """Reads every tensor of the checkpoint file ``path``: ``{name: ndarray}`` (numeric arrays are
    read-only views of the file's bytes; string tensors are object arrays of bytes).
    Raises NotFoundError if the file is missing and DataLossError if it is not a valid checkpoint."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find "
                                               f"any matching files for {path}") from None
    except IsADirectoryError:
        raise errors.DataLossError(None, None, f"Unable to read checkpoint {path}: it is a directory") from None
    return parse_checkpoint(data, path)


def parse_checkpoint(data: bytes, path: str = "<bytes>") -> Dict[str, np.ndarray]:
    """Decodes checkpoint bytes (see the module docstring); DataLossError on any inconsistency."""
    n = len(data)
    if n < _HEADER.size + 4:
        raise _data_loss(path, f"file too short ({n} bytes)")
    magic, version, flags, count = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise _data_loss(path, "bad magic number")
    (stored_crc,) = _U32.unpack_from(data, n - 4)
    if zlib.crc32(memoryview(data)[:n - 4]) & 0xFFFFFFFF != stored_crc:
        raise _data_loss(path, "checksum mismatch")
    if version != VERSION:
        raise _data_loss(path, f"unsupported format version {version}")
    if flags != 0:
        raise _data_loss(path, f"unsupported flags {flags}")
    view = memoryview(data)
    end = n - 4
    pos = _HEADER.size
    # Each entry takes at least 4+4+4+8 bytes: bounds the count before looping.
    if count > (end - pos) // 20:
        raise _data_loss(path, "entry count exceeds file size")

    def take(k: int) -> int:
        nonlocal pos
        if k < 0 or k > end - pos:
            raise _data_loss(path, "entry runs past the end of the file")
        start = pos
        pos += k
        return start

    out: Dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = _U32.unpack_from(data, take(4))
        s = take(name_len)
        try:
            name = bytes(view[s:s + name_len]).decode("utf-8")
        except UnicodeDecodeError:
            raise _data_loss(path, "tensor name is not UTF-8") from None
        if name in out:
            raise _data_loss(path, f"duplicate tensor name {name!r}")
        (enum,) = _U32.unpack_from(data, take(4))
        (rank,) = _U32.unpack_from(data, take(4))
        if rank > MAX_RANK:
            raise _data_loss(path, f"tensor {name!r} has rank {rank}")
        s = take(8 * rank)
        dims = [_I64.unpack_from(data, s + 8 * i)[0] for i in range(rank)]
        if any(d < 0 for d in dims):
            raise _data_loss(path, f"tensor {name!r} has a negative dimension")
        (payload_len,) = _U64.unpack_from(data, take(8))
        s = take(payload_len)
        num = 1
        for d in dims:
            num *= d
        if enum == _STRING:
            items: List[bytes] = []
            p, e = s, s + payload_len
            if num > payload_len // 8:
                raise _data_loss(path, f"string tensor {name!r} is larger than its payload")
            for _i in range(num):
                if e - p < 8:
                    raise _data_loss(path, f"string tensor {name!r} is truncated")
                (ln,) = _U64.unpack_from(data, p)
                p += 8
                if ln > e - p:
                    raise _data_loss(path, f"string tensor {name!r} is truncated")
                items.append(bytes(view[p:p + ln]))
                p += ln
            if p != e:
                raise _data_loss(path, f"string tensor {name!r} has trailing bytes")
            arr = np.empty(num, dtype=object)
            arr[:] = items
            out[name] = arr.reshape(dims)
        elif enum in _NUMERIC:
            dt = _NUMERIC[enum]
            if num * dt.itemsize != payload_len:
                raise _data_loss(path, f"tensor {name!r}: payload of {payload_len} bytes does not hold "
                                       f"shape {dims} of {_dtypes.as_dtype(enum).name}")
            if enum == _dtypes.bool.as_datatype_enum:
                # Any nonzero byte is true: never hand the runtime a bool byte other than 0/1.
                out[name] = np.frombuffer(data, dtype=np.uint8, count=num, offset=s).reshape(dims) != 0
                continue
            arr = np.frombuffer(data, dtype=dt, count=num, offset=s).reshape(dims)
            out[name] = arr.astype(dt.newbyteorder("="), copy=False)
        else:
            raise _data_loss(path, f"tensor {name!r} has unknown dtype enum {enum}")
    if pos != end:
        raise _data_loss(path, "trailing bytes after the last entry")
    return out


def dtype_of(arr: np.ndarray) -> _dtypes.DType:
    """The graphrt dtype of an array read from a checkpoint."""
    if arr.dtype == object:
        return _dtypes.string
    return _dtypes.as_dtype(arr.dtype)

