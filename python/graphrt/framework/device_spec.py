"""Device spec strings ('/job:localhost/replica:0/task:0/device:CPU:0', '/cpu:0', partial specs).

``DeviceSpec`` is TF1's (``tf.compat.v1.DeviceSpec``): mutable fields with setters, ``merge_from``
and ``parse_from_string`` that change it in place, plus ``from_string``, ``to_string``,
``make_merged_spec`` and ``replace``.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

# TensorFlow's device types for the short form ("/cpu:0", "/GPU:1").
_VALID_DEVICE_TYPES = frozenset({"CPU", "GPU", "TPU", "CUSTOM", "EPU"})

_Components = Tuple[Optional[str], Optional[int], Optional[int], Optional[str], Optional[int]]
_PARSE_CACHE: Dict[str, _Components] = {}
_MERGE_CACHE: Dict[Tuple[str, str], str] = {}


def _as_str_or_none(v: Any) -> Optional[str]:
    return None if v is None else str(v)


def _as_int_or_none(v: Any) -> Optional[int]:
    return None if v is None else int(v)


def _as_device_str_or_none(device_type: Any) -> Optional[str]:
    # Lowercase "cpu" and "gpu" are accepted for backwards compatibility and stored uppercase.
    if device_type in ("cpu", "gpu"):
        return device_type.upper()
    return _as_str_or_none(device_type)


class DeviceSpec:
    """A (possibly partial) device specification: job, replica, task, device type and index, each
    None when unspecified."""

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index", "_as_string")

    def __init__(self, job: Optional[str] = None, replica: Optional[int] = None, task: Optional[int] = None,
                 device_type: Optional[str] = None, device_index: Optional[int] = None):
        self._job = _as_str_or_none(job)
        self._replica = _as_int_or_none(replica)
        self._task = _as_int_or_none(task)
        self._device_type = _as_device_str_or_none(device_type)
        self._device_index = _as_int_or_none(device_index)
        self._as_string: Optional[str] = None

    # -- fields --
    @property
    def job(self) -> Optional[str]:
        return self._job

    @job.setter
    def job(self, job: Optional[str]) -> None:
        self._job = _as_str_or_none(job)
        self._as_string = None

    @property
    def replica(self) -> Optional[int]:
        return self._replica

    @replica.setter
    def replica(self, replica: Optional[int]) -> None:
        self._replica = _as_int_or_none(replica)
        self._as_string = None

    @property
    def task(self) -> Optional[int]:
        return self._task

    @task.setter
    def task(self, task: Optional[int]) -> None:
        self._task = _as_int_or_none(task)
        self._as_string = None

    @property
    def device_type(self) -> Optional[str]:
        return self._device_type

    @device_type.setter
    def device_type(self, device_type: Optional[str]) -> None:
        self._device_type = _as_device_str_or_none(device_type)
        self._as_string = None

    @property
    def device_index(self) -> Optional[int]:
        return self._device_index

    @device_index.setter
    def device_index(self, device_index: Optional[int]) -> None:
        self._device_index = _as_int_or_none(device_index)
        self._as_string = None

    # -- strings --
    @classmethod
    def from_string(cls, spec: Optional[str]) -> "DeviceSpec":
        """Parses ``/job:<name>/replica:<id>/task:<id>/device:<type>:<id>`` (every part optional;
        ``/cpu:0`` and ``/gpu:1`` short forms too); ValueError when malformed."""
        return cls(*_parse(spec))

    def parse_from_string(self, spec: Optional[str]) -> "DeviceSpec":
        """Replaces every field with those parsed from ``spec`` (TF1: mutates and returns self)."""
        (self.job, self.replica, self.task, self.device_type, self.device_index) = _parse(spec)
        return self

    def to_string(self) -> str:
        """``/job:<name>/replica:<id>/task:<id>/device:<type>:<id>`` with only the fields set
        (``*`` for the index of a device type without one)."""
        if self._as_string is None:
            parts = []
            if self._job is not None:
                parts.append("/job:" + self._job)
            if self._replica is not None:
                parts.append(f"/replica:{self._replica}")
            if self._task is not None:
                parts.append(f"/task:{self._task}")
            if self._device_type is not None:
                idx = "*" if self._device_index is None else str(self._device_index)
                parts.append(f"/device:{self._device_type}:{idx}")
            self._as_string = "".join(parts)
        return self._as_string

    # -- merging --
    def _combined(self, dev: "DeviceSpec") -> _Components:
        return (dev.job if dev.job is not None else self.job,
                dev.replica if dev.replica is not None else self.replica,
                dev.task if dev.task is not None else self.task,
                dev.device_type if dev.device_type is not None else self.device_type,
                dev.device_index if dev.device_index is not None else self.device_index)

    def merge_from(self, dev: "DeviceSpec") -> None:
        """Sets each field that ``dev`` specifies (``dev`` wins over this spec)."""
        (self.job, self.replica, self.task, self.device_type, self.device_index) = self._combined(dev)

    def make_merged_spec(self, dev: "DeviceSpec") -> "DeviceSpec":
        """A new spec: this one with the fields ``dev`` specifies overridden."""
        return self.__class__(*self._combined(dev))

    def replace(self, **kwargs: Any) -> "DeviceSpec":
        """A new spec with the given fields (job, replica, task, device_type, device_index) replaced."""
        fields = dict(job=self.job, replica=self.replica, task=self.task, device_type=self.device_type,
                      device_index=self.device_index)
        fields.update(kwargs)
        return self.__class__(**fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"DeviceSpec({self.to_string()!r})"


def _parse(spec: Optional[str]) -> _Components:
    cached = _PARSE_CACHE.get(spec) if isinstance(spec, str) else None
    if cached is not None:
        return cached
    raw = spec
    if spec is not None and not isinstance(spec, str):
        if isinstance(spec, bytes):
            spec = spec.decode()
        else:
            raise TypeError(f"A device spec must be a string, got {type(spec).__name__}")
    spec = spec or ""
    job: Optional[str] = None
    replica: Any = None
    task: Any = None
    device_type: Optional[str] = None
    device_index: Optional[int] = None
    for part in spec.split("/"):
        y = part.split(":")
        ly = len(y)
        if ly == 2 and y[0] == "job":
            job = y[1]
        elif ly == 2 and y[0] == "replica":
            replica = int(y[1])
        elif ly == 2 and y[0] == "task":
            task = int(y[1])
        elif ly in (1, 2) and y[0].upper() in _VALID_DEVICE_TYPES:
            if device_type is not None:
                raise ValueError(f"Cannot specify multiple device types: {spec}")
            device_type = y[0].upper()
            if ly == 2 and y[1] != "*":
                device_index = int(y[1])
        elif ly in (2, 3) and y[0] == "device":
            # "/device:CPU" (no index) is accepted as "/device:CPU:*", as the C++ runtime does.
            if device_type is not None:
                raise ValueError(f"Cannot specify multiple device types: {spec}")
            device_type = y[1]
            if ly == 3 and y[2] != "*":
                if not y[2].isdigit():
                    raise ValueError(f"invalid literal for int: {spec}")
                device_index = int(y[2])
        elif ly and y[0] != "":
            raise ValueError(f"Unknown attribute: '{y[0]}' in '{spec}'")
    out = (job, replica, task, device_type, device_index)
    if isinstance(raw, str):
        _PARSE_CACHE[raw] = out
    return out


def canonical(spec: Any) -> str:
    """The canonical string of a device spec string or DeviceSpec ('/cpu:0' -> '/device:CPU:0')."""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(spec).to_string()


def merge(outer: str, inner: str) -> str:
    """``outer`` with the fields ``inner`` specifies overridden, as a canonical string."""
    key = (outer, inner)
    out = _MERGE_CACHE.get(key)
    if out is None:
        out = DeviceSpec.from_string(outer).make_merged_spec(DeviceSpec.from_string(inner)).to_string()
        if len(_MERGE_CACHE) > 10000:
            _MERGE_CACHE.clear()
        _MERGE_CACHE[key] = out
    return out
