"""The devices a session runs on (``Session.list_devices()``): its CPU devices."""
from __future__ import annotations

import os
import random
from typing import List


class _DeviceAttributes:
    """One device: ``name`` (``/job:localhost/replica:0/task:0/device:CPU:0``), ``device_type``
    ('CPU'), ``memory_limit_bytes`` and ``incarnation`` (random, nonzero, fixed per device)."""

    __slots__ = ("_name", "_device_type", "_memory_limit_bytes", "_incarnation")

    def __init__(self, name: str, device_type: str, memory_limit_bytes: int, incarnation: int):
        self._name = name
        self._device_type = device_type
        self._memory_limit_bytes = int(memory_limit_bytes)
        self._incarnation = int(incarnation)

    @property
    def name(self) -> str:
        return self._name

    @property
    def device_type(self) -> str:
        return self._device_type

    @property
    def memory_limit_bytes(self) -> int:
        return self._memory_limit_bytes

    @property
    def incarnation(self) -> int:
        return self._incarnation

    def __repr__(self) -> str:
        return (f"_DeviceAttributes({self._name}, {self._device_type}, {self._memory_limit_bytes}, "
                f"{self._incarnation})")


def local_devices(num_cpus: int = 1) -> List[_DeviceAttributes]:
    """CPU devices of this process without a session (each call draws new incarnations)."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return [_DeviceAttributes(f"/job:localhost/replica:0/task:0/device:CPU:{i}", "CPU", memory,
                              random.getrandbits(64) | 1) for i in range(num_cpus)]
