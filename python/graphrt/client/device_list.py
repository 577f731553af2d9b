"""The local devices a session runs on (the CPU)."""
from __future__ import annotations

import os
from typing import List


class _DeviceAttributes:
    def __init__(self, name: str, device_type: str, memory_limit_bytes: int, incarnation: int):
        self.name = name
        self.device_type = device_type
        self.memory_limit_bytes = memory_limit_bytes
        self.incarnation = incarnation

    def __repr__(self) -> str:
        return f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes}, {self.incarnation})"


def local_devices() -> List[_DeviceAttributes]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return [_DeviceAttributes("/job:localhost/replica:0/task:0/device:CPU:0", "CPU", memory, 1)]
