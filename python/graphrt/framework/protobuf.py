"""A small protocol-buffer (proto3 wire format) message base for GraphDef and friends.

Messages declare their fields as ``Field`` entries; this module encodes and decodes them with the
exact wire rules the C++ codec follows (packed numerics, map entries sorted by key), so bytes written
here decode in C++ and in TensorFlow. Malformed input raises ``DecodeError``.
"""
from __future__ import annotations

import struct
from typing import Any, Dict, Iterable, List, Optional, Tuple

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class DecodeError(ValueError):
    """Raised by ParseFromString on bytes that are not a valid message."""


class Field:
    """kind: string, bytes, int64, int32, uint32, bool, float, double, enum, message, map."""

    __slots__ = ("name", "number", "kind", "repeated", "message_type", "oneof")

    def __init__(self, name: str, number: int, kind: str, repeated: bool = False,
                 message_type: Any = None, oneof: Optional[str] = None):
        self.name, self.number, self.kind = name, number, kind
        self.repeated, self.message_type, self.oneof = repeated, message_type, oneof


_DEFAULTS = {"string": "", "bytes": b"", "int64": 0, "int32": 0, "uint32": 0, "bool": False,
             "float": 0.0, "double": 0.0, "enum": 0}


class RepeatedField(list):
    """A repeated field; for messages, ``add()`` appends and returns a new element."""

    def __init__(self, message_type: Any = None, items: Iterable = ()):
        super().__init__(items)
        self._message_type = message_type

    def add(self, **kwargs: Any) -> Any:
        m = self._message_type(**kwargs)
        self.append(m)
        return m

    def MergeFrom(self, other: Iterable) -> None:  # noqa: N802 - protobuf API name
        self.extend(other)


class MessageMap(dict):
    """map<string, Message>: indexing a missing key creates an empty message, as protobuf does."""

    def __init__(self, message_type: Any):
        super().__init__()
        self._message_type = message_type

    def __missing__(self, key: str) -> Any:
        m = self._message_type()
        self[key] = m
        return m

    def get_or_create(self, key: str) -> Any:
        return self[key]


def _write_varint(out: bytearray, v: int) -> None:
    v &= (1 << 64) - 1
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _write_tag(out: bytearray, number: int, wt: int) -> None:
    _write_varint(out, (number << 3) | wt)


def write_length_delimited(out: bytearray, number: int, payload: bytes) -> None:
    """Appends field `number` holding `payload` (an encoded message, bytes or string: wire type LEN).
    Encodings concatenate, so a repeated message field can be written one element at a time."""
    _write_tag(out, number, _LEN)
    _write_varint(out, len(payload))
    out += payload


def _read_varint(buf: memoryview, pos: int, end: int) -> Tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & ((1 << 64) - 1), pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint too long")


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _scalar_from_varint(kind: str, v: int) -> Any:
    if kind == "int64":
        return _signed(v, 64)
    if kind in ("int32", "enum"):
        return _signed(v, 32)
    if kind == "uint32":
        return v & 0xFFFFFFFF
    if kind == "bool":
        return v != 0
    raise DecodeError(f"varint for {kind} field")


class Message:
    """Base class: subclasses set FIELDS (a tuple of Field)."""

    FIELDS: Tuple[Field, ...] = ()
    _BY_NAME: Dict[str, Field]
    _BY_NUMBER: Dict[int, Field]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._finalize()

    @classmethod
    def _finalize(cls) -> None:
        cls._BY_NAME = {f.name: f for f in cls.FIELDS}
        cls._BY_NUMBER = {f.number: f for f in cls.FIELDS}

    def __init__(self, **kwargs: Any):
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_oneof_set", {})
        object.__setattr__(self, "_has", set())  # singular message fields explicitly set
        for k, v in kwargs.items():
            f = self._BY_NAME.get(k)
            if f is None:
                raise ValueError(f"{type(self).__name__} has no field {k!r}")
            if f.repeated or f.kind in ("map", "smap"):
                target = getattr(self, k)
                if f.kind in ("map", "smap"):
                    target.update(v)
                else:
                    target.extend(v)
            elif f.kind == "message":
                getattr(self, k).CopyFrom(v)
                self._mark(f)
            else:
                setattr(self, k, v)

    # -- field access ----------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        f = type(self)._BY_NAME.get(name)
        if f is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        values = self._values
        if name in values:
            return values[name]
        if f.kind == "map":
            v = MessageMap(f.message_type)
        elif f.kind == "smap":
            v = {}
        elif f.repeated:
            v = RepeatedField(f.message_type)
        elif f.kind == "message":
            v = f.message_type()
            v._parent = (self, f)
        else:
            return _DEFAULTS[f.kind]
        values[name] = v
        return v

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        f = type(self)._BY_NAME.get(name)
        if f is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        if f.repeated or f.kind in ("message", "map", "smap"):
            raise AttributeError(f"Assignment not allowed to composite field {name!r}; use CopyFrom/extend")
        self._values[name] = self._check_scalar(f, value)
        self._mark(f)

    @staticmethod
    def _check_scalar(f: Field, value: Any) -> Any:
        k = f.kind
        if k == "string":
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            if not isinstance(value, str):
                raise TypeError(f"field {f.name} expects str, got {type(value).__name__}")
            return value
        if k == "bytes":
            if isinstance(value, str):
                value = value.encode("utf-8")
            if not isinstance(value, (bytes, bytearray)):
                raise TypeError(f"field {f.name} expects bytes, got {type(value).__name__}")
            return bytes(value)
        if k in ("float", "double"):
            return float(value)
        if k == "bool":
            return bool(value)
        return int(value)

    def _mark(self, f: Field) -> None:
        self._has.add(f.name)
        if f.oneof is not None:
            previous = self._oneof_set.get(f.oneof)
            if previous is not None and previous != f.name:
                self._values.pop(previous, None)
            self._oneof_set[f.oneof] = f.name
        self._mark_parent()

    def _mark_parent(self) -> None:
        parent = self.__dict__.get("_parent")
        if parent is not None:
            p, pf = parent
            p._values[pf.name] = self
            p._mark(pf)

    def _present(self, f: Field, v: Any) -> bool:
        if f.kind in ("map", "smap") or f.repeated:
            return len(v) > 0
        if f.kind == "message":
            if f.oneof is not None:
                return self._oneof_set.get(f.oneof) == f.name or v._touched()
            return f.name in self._has or v._touched()
        return True

    def HasField(self, name: str) -> bool:  # noqa: N802
        f = self._BY_NAME.get(name)
        if f is None or f.repeated or f.kind in ("map", "smap"):
            raise ValueError(f"{type(self).__name__} has no singular field {name!r}")
        if f.oneof is not None:
            return self.WhichOneof(f.oneof) == name
        return name in self._values and self._present(f, self._values[name])

    def _touched(self) -> bool:
        if self._oneof_set:
            return True
        return any(self._present(self._BY_NAME[k], v) for k, v in self._values.items())

    def WhichOneof(self, group: str) -> Optional[str]:  # noqa: N802
        explicit = self._oneof_set.get(group)
        if explicit is not None:
            return explicit
        for f in self.FIELDS:  # a message member becomes set when something inside it is set
            if f.oneof == group and f.kind == "message" and f.name in self._values and self._values[f.name]._touched():
                return f.name
        return None

    def ClearField(self, name: str) -> None:  # noqa: N802
        f = self._BY_NAME[name]
        self._values.pop(name, None)
        if f.oneof is not None and self._oneof_set.get(f.oneof) == name:
            del self._oneof_set[f.oneof]

    def Clear(self) -> None:  # noqa: N802
        self._values.clear()
        self._oneof_set.clear()
        self._has.clear()

    def CopyFrom(self, other: "Message") -> None:  # noqa: N802
        if other is self:
            return
        self.Clear()
        self.MergeFromString(other.SerializeToString())
        self._mark_parent()

    def MergeFrom(self, other: "Message") -> None:  # noqa: N802
        self.MergeFromString(other.SerializeToString())

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and self.SerializeToString() == other.SerializeToString()

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # mutable

    def ByteSize(self) -> int:  # noqa: N802
        return len(self.SerializeToString())

    # -- encoding ---------------------------------------------------------------------------------
    def SerializeToString(self, deterministic: bool = True) -> bytes:  # noqa: N802
        out = bytearray()
        self._encode(out)
        return bytes(out)

    def _encode(self, out: bytearray) -> None:
        values = self._values
        for f in self.FIELDS:
            if f.name not in values:
                continue
            v = values[f.name]
            k = f.kind
            if k == "smap":
                for key in sorted(v):
                    entry = bytearray()
                    write_length_delimited(entry, 1, key.encode("utf-8"))
                    write_length_delimited(entry, 2, v[key].encode("utf-8"))
                    write_length_delimited(out, f.number, bytes(entry))
            elif k == "map":
                for key in sorted(v):
                    entry = bytearray()
                    write_length_delimited(entry, 1, key.encode("utf-8"))
                    sub = bytearray()
                    v[key]._encode(sub)
                    write_length_delimited(entry, 2, bytes(sub))
                    write_length_delimited(out, f.number, bytes(entry))
            elif k == "message":
                items = v if f.repeated else ([v] if (self._present(f, v) or self.WhichOneof(f.oneof or "") == f.name) else [])
                for m in items:
                    sub = bytearray()
                    m._encode(sub)
                    write_length_delimited(out, f.number, bytes(sub))
            elif f.repeated:
                if not v:
                    continue
                if k in ("string", "bytes"):
                    for s in v:
                        write_length_delimited(out, f.number, s.encode("utf-8") if isinstance(s, str) else bytes(s))
                else:
                    payload = bytearray()
                    for x in v:
                        _encode_scalar(payload, k, x)
                    write_length_delimited(out, f.number, bytes(payload))
            else:
                if f.oneof is None and v == _DEFAULTS[k] and not (k in ("float", "double") and str(v) == "-0.0"):
                    continue
                if k in ("string", "bytes"):
                    write_length_delimited(out, f.number, v.encode("utf-8") if isinstance(v, str) else v)
                else:
                    _write_tag(out, f.number, _wire_type(k))
                    _encode_scalar(out, k, v)

    # -- decoding ---------------------------------------------------------------------------------
    def ParseFromString(self, data: bytes) -> int:  # noqa: N802
        self.Clear()
        return self.MergeFromString(data)

    def MergeFromString(self, data: bytes) -> int:  # noqa: N802
        buf = memoryview(bytes(data))
        self._decode(buf, 0, len(buf), 0)
        return len(buf)

    @classmethod
    def FromString(cls, data: bytes) -> "Message":  # noqa: N802
        m = cls()
        m.ParseFromString(data)
        return m

    def _decode(self, buf: memoryview, pos: int, end: int, depth: int) -> None:
        if depth > 100:
            raise DecodeError("message nested too deeply")
        while pos < end:
            key, pos = _read_varint(buf, pos, end)
            number, wt = key >> 3, key & 7
            if number == 0:
                raise DecodeError("field number 0")
            f = self._BY_NUMBER.get(number)
            if wt == _LEN:
                length, pos = _read_varint(buf, pos, end)
                if length > end - pos:
                    raise DecodeError("length-delimited field runs past the end")
                start, pos = pos, pos + length
                if f is None:
                    continue
                self._decode_len_field(f, buf, start, pos, depth)
            elif wt == _VARINT:
                v, pos = _read_varint(buf, pos, end)
                if f is not None:
                    self._store_scalar(f, _scalar_from_varint(f.kind, v) if f.kind not in ("float", "double", "string", "bytes", "message", "map") else _bad(f))
            elif wt == _I32:
                if end - pos < 4:
                    raise DecodeError("truncated fixed32")
                raw = bytes(buf[pos:pos + 4])
                pos += 4
                if f is not None:
                    if f.kind != "float":
                        _bad(f)
                    self._store_scalar(f, struct.unpack("<f", raw)[0])
            elif wt == _I64:
                if end - pos < 8:
                    raise DecodeError("truncated fixed64")
                raw = bytes(buf[pos:pos + 8])
                pos += 8
                if f is not None:
                    if f.kind != "double":
                        _bad(f)
                    self._store_scalar(f, struct.unpack("<d", raw)[0])
            else:
                raise DecodeError(f"unsupported wire type {wt}")

    def _store_scalar(self, f: Field, v: Any) -> None:
        if f.repeated:
            getattr(self, f.name).append(v)
        else:
            self._values[f.name] = v
            self._mark(f)

    def _decode_len_field(self, f: Field, buf: memoryview, start: int, end: int, depth: int) -> None:
        k = f.kind
        if k == "smap":
            key, value = "", ""
            pos = start
            while pos < end:
                tag, pos = _read_varint(buf, pos, end)
                n, wt = tag >> 3, tag & 7
                if wt == _LEN:
                    length, pos = _read_varint(buf, pos, end)
                    if length > end - pos:
                        raise DecodeError("map entry runs past the end")
                    if n == 1:
                        key = _utf8(buf[pos:pos + length])
                    elif n == 2:
                        value = _utf8(buf[pos:pos + length])
                    pos += length
                else:
                    pos = _skip(buf, pos, end, wt)
            getattr(self, f.name)[key] = value
        elif k == "map":
            key, sub = "", None
            pos = start
            while pos < end:
                tag, pos = _read_varint(buf, pos, end)
                n, wt = tag >> 3, tag & 7
                if wt == _LEN:
                    length, pos = _read_varint(buf, pos, end)
                    if length > end - pos:
                        raise DecodeError("map entry runs past the end")
                    if n == 1:
                        key = _utf8(buf[pos:pos + length])
                    elif n == 2:
                        sub = f.message_type()
                        sub._decode(buf, pos, pos + length, depth + 1)
                    pos += length
                else:
                    pos = _skip(buf, pos, end, wt)
            getattr(self, f.name)[key] = sub if sub is not None else f.message_type()
        elif k == "message":
            if f.repeated:
                m = f.message_type()
                m._decode(buf, start, end, depth + 1)
                getattr(self, f.name).append(m)
            else:
                m = getattr(self, f.name)
                m._decode(buf, start, end, depth + 1)
                self._values[f.name] = m
                self._mark(f)
        elif k == "string":
            self._store_scalar(f, _utf8(buf[start:end]))
        elif k == "bytes":
            self._store_scalar(f, bytes(buf[start:end]))
        elif f.repeated:  # packed numerics
            target = getattr(self, f.name)
            pos = start
            if k == "float":
                if (end - start) % 4:
                    raise DecodeError("packed float field has a partial element")
                target.extend(struct.unpack(f"<{(end - start) // 4}f", bytes(buf[start:end])))
            elif k == "double":
                if (end - start) % 8:
                    raise DecodeError("packed double field has a partial element")
                target.extend(struct.unpack(f"<{(end - start) // 8}d", bytes(buf[start:end])))
            else:
                while pos < end:
                    v, pos = _read_varint(buf, pos, end)
                    target.append(_scalar_from_varint(k, v))
        else:
            _bad(f)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._text()})"

    def _text(self) -> str:
        parts = []
        for f in self.FIELDS:
            if f.name in self._values:
                v = self._values[f.name]
                if f.kind in ("map", "smap"):
                    if v:
                        parts.append(f"{f.name}={{" + ", ".join(f"{k!r}: {v[k]!r}" for k in sorted(v)) + "}")
                elif f.repeated:
                    if v:
                        parts.append(f"{f.name}={list(v)!r}")
                elif f.kind == "message":
                    if v._touched():
                        parts.append(f"{f.name}={v!r}")
                else:
                    parts.append(f"{f.name}={v!r}")
        return ", ".join(parts)


def _bad(f: Field) -> Any:
    raise DecodeError(f"wrong wire type for field {f.name}")


def _utf8(b: memoryview) -> str:
    try:
        return bytes(b).decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError(f"invalid UTF-8 in string field: {e}") from None


def _skip(buf: memoryview, pos: int, end: int, wt: int) -> int:
    if wt == _VARINT:
        return _read_varint(buf, pos, end)[1]
    if wt == _I64:
        if end - pos < 8:
            raise DecodeError("truncated fixed64")
        return pos + 8
    if wt == _I32:
        if end - pos < 4:
            raise DecodeError("truncated fixed32")
        return pos + 4
    if wt == _LEN:
        length, pos = _read_varint(buf, pos, end)
        if length > end - pos:
            raise DecodeError("length-delimited field runs past the end")
        return pos + length
    raise DecodeError(f"unsupported wire type {wt}")


def _wire_type(kind: str) -> int:
    return _I32 if kind == "float" else _I64 if kind == "double" else _VARINT


def _encode_scalar(out: bytearray, kind: str, v: Any) -> None:
    if kind == "float":
        out += struct.pack("<f", v)
    elif kind == "double":
        out += struct.pack("<d", v)
    elif kind == "bool":
        out.append(1 if v else 0)
    else:
        _write_varint(out, int(v))


def text_format(message: Message, indent: int = 0) -> str:
    """protobuf text format (as TF writes .pbtxt files)."""
    pad = "  " * indent
    lines: List[str] = []
    for f in message.FIELDS:
        if f.name not in message._values:
            continue
        v = message._values[f.name]
        if f.kind == "smap":
            for key in sorted(v):
                lines.append(f'{pad}{f.name} {{ key: "{_escape(key)}" value: "{_escape(v[key])}" }}')
        elif f.kind == "map":
            for key in sorted(v):
                lines.append(f"{pad}{f.name} {{")
                lines.append(f'{pad}  key: "{_escape(key)}"')
                lines.append(f"{pad}  value {{")
                lines.append(text_format(v[key], indent + 2).rstrip("\n"))
                lines.append(f"{pad}  }}")
                lines.append(f"{pad}}}")
        elif f.kind == "message":
            items = v if f.repeated else ([v] if message._present(f, v) else [])
            for m in items:
                lines.append(f"{pad}{f.name} {{")
                body = text_format(m, indent + 1).rstrip("\n")
                if body:
                    lines.append(body)
                lines.append(f"{pad}}}")
        else:
            items = v if f.repeated else [v]
            for x in items:
                lines.append(f"{pad}{f.name}: {_text_scalar(f, x)}")
    return "\n".join(line for line in lines if line != "") + ("\n" if lines else "")


def _escape(s: Any) -> str:
    if isinstance(s, str):
        s = s.encode("utf-8")
    out = []
    for b in s:
        c = chr(b)
        if c in "\"\\'":
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def _text_scalar(f: Field, v: Any) -> str:
    if f.kind in ("string", "bytes"):
        return f'"{_escape(v)}"'
    if f.kind == "bool":
        return "true" if v else "false"
    if f.kind == "enum" and f.name in ("type", "dtype"):
        from graphrt.framework import dtypes
        try:
            return "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
                dtypes.as_dtype(v).name, dtypes.as_dtype(v).name.upper())
        except TypeError:
            return str(v)
    if f.kind in ("float", "double"):
        return repr(float(v))
    return str(v)
