"""Step statistics (RunMetadata.step_stats) with TF's field names: StepStats.dev_stats[] of
DeviceStepStats(device, node_stats[] of NodeExecStats)."""
from __future__ import annotations

from typing import Any, List


class AllocationDescription:
    def __init__(self, requested_bytes: int = 0, allocated_bytes: int = 0, allocator_name: str = "cpu"):
        self.requested_bytes = requested_bytes
        self.allocated_bytes = allocated_bytes
        self.allocator_name = allocator_name


class TensorDescription:
    def __init__(self, dtype: int = 0, shape: Any = None, allocation_description: Any = None):
        self.dtype = dtype
        self.shape = list(shape or [])
        self.allocation_description = allocation_description or AllocationDescription()


class NodeOutput:
    def __init__(self, slot: int = 0, tensor_description: Any = None):
        self.slot = slot
        self.tensor_description = tensor_description or TensorDescription()


class NodeExecStats:
    """Timings of one node in one step (microseconds; *_rel_micros are relative to all_start_micros)."""

    def __init__(self, node_name: str = "", timeline_label: str = "", all_start_micros: int = 0,
                 op_start_rel_micros: int = 0, op_end_rel_micros: int = 0, all_end_rel_micros: int = 0,
                 thread_id: int = 0, output: Any = None):
        self.node_name = node_name
        self.timeline_label = timeline_label
        self.all_start_micros = all_start_micros
        self.op_start_rel_micros = op_start_rel_micros
        self.op_end_rel_micros = op_end_rel_micros
        self.all_end_rel_micros = all_end_rel_micros
        self.thread_id = thread_id
        self.output: List[NodeOutput] = list(output or [])

    def __repr__(self) -> str:
        return f"NodeExecStats({self.node_name!r}, start={self.all_start_micros}, end_rel={self.all_end_rel_micros})"


class DeviceStepStats:
    def __init__(self, device: str = "", node_stats: Any = None):
        self.device = device
        self.node_stats: List[NodeExecStats] = list(node_stats or [])


class StepStats:
    def __init__(self, dev_stats: Any = None):
        self.dev_stats: List[DeviceStepStats] = list(dev_stats or [])


def from_runtime(device: str, records: List[tuple]) -> DeviceStepStats:
    """DeviceStepStats from the runtime's per-node tuples
    (name, op, all_start, op_start_rel, op_end_rel, all_end_rel, thread_id, [(dtype, shape, bytes)])."""
    nodes = []
    for name, op, start, op_start, op_end, all_end, tid, outputs in records:
        outs = [NodeOutput(i, TensorDescription(dt, shape, AllocationDescription(nbytes, nbytes)))
                for i, (dt, shape, nbytes) in enumerate(outputs)]
        nodes.append(NodeExecStats(name, f"{name} = {op}()", start, op_start, op_end, all_end, tid, outs))
    return DeviceStepStats(device, nodes)
