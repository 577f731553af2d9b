"""ConfigProto, RunOptions and RunMetadata with TensorFlow's field names.

They are plain records: constructor keywords and attributes are the proto fields; an unknown field
is a ValueError, as with a protobuf message. Nested messages are created on first access.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple


class _Record:
    _FIELDS: Dict[str, Any] = {}  # name -> default (a _Record subclass for nested messages)

    def __init__(self, **kwargs: Any):
        for name, default in self._FIELDS.items():
            if isinstance(default, type) and issubclass(default, _Record):
                value = default()
            elif isinstance(default, (list, dict)):
                value = type(default)()
            else:
                value = default
            object.__setattr__(self, name, value)
        for k, v in kwargs.items():
            if k not in self._FIELDS:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{k}" field.')
            default = self._FIELDS[k]
            if isinstance(default, type) and issubclass(default, _Record) and isinstance(v, dict):
                v = default(**v)
            setattr(self, k, v)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._FIELDS:
            raise AttributeError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        object.__setattr__(self, name, value)

    def CopyFrom(self, other: "_Record") -> None:  # noqa: N802
        for name in self._FIELDS:
            object.__setattr__(self, name, getattr(other, name))

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._FIELDS)

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._FIELDS)
        return f"{type(self).__name__}({fields})"


class GPUOptions(_Record):
    _FIELDS = {"per_process_gpu_memory_fraction": 0.0, "allow_growth": False, "allocator_type": "",
               "visible_device_list": "", "deferred_deletion_bytes": 0, "polling_active_delay_usecs": 0,
               "force_gpu_compatible": False}


class OptimizerOptions(_Record):
    L1 = 0
    L0 = -1
    DEFAULT = 0
    OFF = 2
    ON_1 = 1
    ON_2 = 2
    _FIELDS = {"do_common_subexpression_elimination": False, "do_constant_folding": False,
               "do_function_inlining": False, "opt_level": 0, "global_jit_level": 0,
               "max_folded_constant_in_bytes": 0}


class GraphOptions(_Record):
    _FIELDS = {"optimizer_options": OptimizerOptions, "enable_recv_scheduling": False, "build_cost_model": 0,
               "build_cost_model_after": 0, "infer_shapes": False, "place_pruned_graph": False,
               "enable_bfloat16_sendrecv": False, "timeline_step": 0, "rewrite_options": None}


class ThreadPoolOptionProto(_Record):
    _FIELDS = {"num_threads": 0, "global_name": ""}


class ConfigProto(_Record):
    """Session configuration. ``inter_op_parallelism_threads`` and ``intra_op_parallelism_threads``
    size the session's thread pools (0 = number of cores)."""

    _FIELDS = {"device_count": {}, "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
               "use_per_session_threads": False, "session_inter_op_thread_pool": [], "placement_period": 0,
               "device_filters": [], "gpu_options": GPUOptions, "allow_soft_placement": False,
               "log_device_placement": False, "graph_options": GraphOptions, "operation_timeout_in_ms": 0,
               "rpc_options": None, "cluster_def": None, "isolate_session_state": False,
               "share_cluster_devices_in_session": False, "experimental": None}


class RunOptions(_Record):
    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
    _FIELDS = {"trace_level": 0, "timeout_in_ms": 0, "inter_op_thread_pool": 0,
               "output_partition_graphs": False, "debug_options": None,
               "report_tensor_allocations_upon_oom": False, "experimental": None}


class StepStats(_Record):
    _FIELDS = {"dev_stats": []}


class RunMetadata(_Record):
    _FIELDS = {"step_stats": StepStats, "cost_graph": None, "partition_graphs": [], "function_graphs": []}


def thread_counts(config: Any) -> Tuple[int, int]:
    """(inter_op, intra_op) thread counts from a ConfigProto (None = defaults); ValueError if negative."""
    if config is None:
        return 0, 0
    if not isinstance(config, ConfigProto):
        raise TypeError(f"config must be a tf.ConfigProto, but got {type(config).__name__}")
    inter = int(config.inter_op_parallelism_threads)
    intra = int(config.intra_op_parallelism_threads)
    if inter < 0 or intra < 0:
        raise ValueError("Thread counts in ConfigProto must be >= 0")
    return inter, intra
