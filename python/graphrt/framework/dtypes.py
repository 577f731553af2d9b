"""Data types with TensorFlow's names and enum values (types.proto)."""
from __future__ import annotations

from typing import Any

import numpy as np


class DType:
    """A tensor element type, e.g. ``graphrt.float32``."""

    __slots__ = ("_enum", "_name", "_np")

    def __init__(self, enum: int, name: str, np_type: Any):
        self._enum = enum
        self._name = name
        self._np = np_type

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def name(self) -> str:
        return self._name

    @property
    def as_numpy_dtype(self) -> Any:
        return self._np

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def is_floating(self) -> bool:
        return self._name in ("float16", "float32", "float64")

    @property
    def is_integer(self) -> bool:
        return self._name in ("int8", "int16", "int32", "int64", "uint8", "uint16")

    @property
    def is_unsigned(self) -> bool:
        return self._name in ("uint8", "uint16")

    @property
    def is_bool(self) -> bool:
        return self._name == "bool"

    @property
    def is_numpy_compatible(self) -> bool:
        return self._name != "string"

    @property
    def size(self) -> int:
        return 1 if self._name == "string" else np.dtype(self._np).itemsize

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        raise TypeError(f"Cannot find maximum value of {self}.")

    def is_compatible_with(self, other: Any) -> bool:
        return self == as_dtype(other)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __repr__(self) -> str:
        return f"tf.{self._name}"

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType(19, "float16", np.float16)
half = float16
float32 = DType(1, "float32", np.float32)
float64 = DType(2, "float64", np.float64)
double = float64
int8 = DType(6, "int8", np.int8)
int16 = DType(5, "int16", np.int16)
int32 = DType(3, "int32", np.int32)
int64 = DType(9, "int64", np.int64)
uint8 = DType(4, "uint8", np.uint8)
uint16 = DType(17, "uint16", np.uint16)
bool = DType(10, "bool", np.bool_)  # noqa: A001 - TF's public name
string = DType(7, "string", np.object_)
resource = DType(20, "resource", np.object_)  # a handle to a session resource (a Variable)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, bool, string, resource]
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_NP = {
    np.dtype(np.float16): float16, np.dtype(np.float32): float32, np.dtype(np.float64): float64,
    np.dtype(np.int8): int8, np.dtype(np.int16): int16, np.dtype(np.int32): int32,
    np.dtype(np.int64): int64, np.dtype(np.uint8): uint8, np.dtype(np.uint16): uint16,
    np.dtype(np.bool_): bool,
}


def as_dtype(type_value: Any) -> DType:
    """Converts a DType, enum value, name, numpy dtype or Python type to a ``DType``."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, int) and not isinstance(type_value, type(True)) and type_value in _BY_ENUM:
        return _BY_ENUM[type_value]
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value is type(True):
        return bool
    if type_value in (bytes, str, np.bytes_, np.str_, np.object_):
        return string
    try:
        npd = np.dtype(type_value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd in _BY_NP:
            return _BY_NP[npd]
        if npd.kind in ("S", "U", "O"):
            return string
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")
