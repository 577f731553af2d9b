"""Device spec strings ('/job:localhost/replica:0/task:0/device:CPU:0', '/cpu:0', partial specs)."""
from __future__ import annotations

from typing import Dict, Optional

_FIELDS = ("job", "replica", "task", "device_type", "device_index")


class DeviceSpec:
    """A parsed device spec; fields left None are unspecified."""

    def __init__(self, job: Optional[str] = None, replica: Optional[int] = None, task: Optional[int] = None,
                 device_type: Optional[str] = None, device_index: Optional[int] = None):
        self.job, self.replica, self.task = job, replica, task
        self.device_type = device_type.upper() if device_type and device_type.lower() in ("cpu", "gpu") else device_type
        self.device_index = device_index

    @classmethod
    def from_string(cls, spec: str) -> "DeviceSpec":
        d = _parse(spec)
        return cls(**d)

    def to_string(self) -> str:
        parts = []
        if self.job is not None:
            parts.append(f"/job:{self.job}")
        if self.replica is not None:
            parts.append(f"/replica:{self.replica}")
        if self.task is not None:
            parts.append(f"/task:{self.task}")
        if self.device_type is not None:
            idx = "*" if self.device_index is None else str(self.device_index)
            parts.append(f"/device:{self.device_type}:{idx}")
        return "".join(parts)

    def merge_from(self, other: "DeviceSpec") -> None:
        for f in _FIELDS:
            v = getattr(other, f)
            if v is not None:
                setattr(self, f, v)

    def make_merged_spec(self, other: "DeviceSpec") -> "DeviceSpec":
        merged = DeviceSpec(self.job, self.replica, self.task, self.device_type, self.device_index)
        merged.merge_from(other)
        return merged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"DeviceSpec({self.to_string()!r})"


def _parse(spec: str) -> Dict[str, object]:
    out: Dict[str, object] = {}
    if not spec:
        return out
    for part in spec.split("/"):
        if not part:
            continue
        bits = part.split(":")
        key = bits[0].lower()
        if key == "job" and len(bits) == 2:
            out["job"] = bits[1]
        elif key == "replica" and len(bits) == 2:
            out["replica"] = int(bits[1])
        elif key == "task" and len(bits) == 2:
            out["task"] = int(bits[1])
        elif key == "device" and len(bits) in (2, 3):
            out["device_type"] = bits[1]
            if len(bits) == 3 and bits[2] != "*":
                out["device_index"] = int(bits[2])
        elif key in ("cpu", "gpu") and len(bits) == 2:
            out["device_type"] = key.upper()
            if bits[1] != "*":
                out["device_index"] = int(bits[1])
        elif len(bits) == 1 and key in ("cpu", "gpu"):
            out["device_type"] = key.upper()
        else:
            raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
    return out


def canonical(spec: str) -> str:
    return DeviceSpec.from_string(spec).to_string()


def merge(outer: str, inner: str) -> str:
    return DeviceSpec.from_string(outer).make_merged_spec(DeviceSpec.from_string(inner)).to_string()
