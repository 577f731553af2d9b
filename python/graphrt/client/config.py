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


class _Repeated(list):
    """A repeated message field: a list with protobuf's ``add(**fields)``."""

    _element: Any = None

    def add(self, **kwargs: Any) -> Any:
        item = self._element(**kwargs)
        self.append(item)
        return item


class OptimizerOptions(_Record):
    # Level
    L1 = 0
    L0 = -1
    # GlobalJitLevel
    DEFAULT = 0
    OFF = -1
    ON_1 = 1
    ON_2 = 2
    _FIELDS = {"do_common_subexpression_elimination": False, "do_constant_folding": False,
               "do_function_inlining": False, "opt_level": 0, "global_jit_level": 0, "cpu_global_jit": False,
               "max_folded_constant_in_bytes": 0}


class RewriterConfig(_Record):
    """Grappler's switches (rewriter_config.proto); Toggle fields take DEFAULT, ON, OFF, AGGRESSIVE."""

    # Toggle
    DEFAULT = 0
    ON = 1
    OFF = 2
    AGGRESSIVE = 3
    EXPERIMENTAL_MLIR = 4
    EXPERIMENTAL_BOTH = 5
    # MemOptimizerType
    DEFAULT_MEM_OPT = 0
    NO_MEM_OPT = 1
    MANUAL = 2
    SWAPPING_HEURISTICS = 4
    RECOMPUTATION_HEURISTICS = 5
    SCHEDULING_HEURISTICS = 6
    HEURISTICS = 3
    # NumIterationsType
    DEFAULT_NUM_ITERS = 0
    ONE = 1
    TWO = 2
    _FIELDS = {"cpu_layout_conversion": 0, "layout_optimizer": 0, "constant_folding": 0, "shape_optimization": 0,
               "remapping": 0, "common_subgraph_elimination": 0, "arithmetic_optimization": 0,
               "dependency_optimization": 0, "loop_optimization": 0, "function_optimization": 0,
               "debug_stripper": 0, "disable_model_pruning": False, "scoped_allocator_optimization": 0,
               "pin_to_host_optimization": 0, "implementation_selector": 0, "auto_mixed_precision": 0,
               "auto_mixed_precision_mkl": 0, "auto_mixed_precision_onednn_bfloat16": 0,
               "auto_mixed_precision_cpu": 0, "disable_meta_optimizer": False, "disable_tfg_optimizer": False,
               "use_plugin_optimizers": 0, "experimental_conditional_code_motion": 0,
               "meta_optimizer_iterations": 0, "min_graph_nodes": 0,
               "experimental_disable_compressed_tensor_optimization": False,
               "experimental_disable_folding_quantization_emulation": False, "memory_optimization": 0,
               "memory_optimizer_target_node_name_scope": "", "meta_optimizer_timeout_ms": 0,
               "auto_parallel": None, "fail_on_optimizer_errors": False, "scoped_allocator_opts": None,
               "optimizers": [], "custom_optimizers": [], "inter_optimizer_verifier_config": None,
               "post_optimization_verifier_config": None}


class GraphOptions(_Record):
    _FIELDS = {"optimizer_options": OptimizerOptions, "enable_recv_scheduling": False, "build_cost_model": 0,
               "build_cost_model_after": 0, "infer_shapes": False, "place_pruned_graph": False,
               "enable_bfloat16_sendrecv": False, "timeline_step": 0, "rewrite_options": RewriterConfig}


class ThreadPoolOptionProto(_Record):
    _FIELDS = {"num_threads": 0, "global_name": ""}


class _ThreadPoolOptions(_Repeated):
    _element = ThreadPoolOptionProto


class ConfigProto(_Record):
    """Session configuration: thread pools (``inter_op_parallelism_threads``,
    ``intra_op_parallelism_threads``, ``use_per_session_threads``, ``session_inter_op_thread_pool``;
    0 threads = number of cores), CPU devices (``device_count={'CPU': n}``), placement
    (``allow_soft_placement``, ``log_device_placement``) and ``graph_options``."""

    _FIELDS = {"device_count": {}, "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
               "use_per_session_threads": False, "session_inter_op_thread_pool": _ThreadPoolOptions(),
               "placement_period": 0,
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


def _toggle_on(rewrite: Any, field: str) -> bool:
    return not rewrite.disable_meta_optimizer and int(getattr(rewrite, field)) != RewriterConfig.OFF


def optimizer_switches(config: Any) -> Dict[str, bool]:
    """Which graph optimization passes GraphOptions leaves on. A pass TF runs both as a classic
    optimizer (OptimizerOptions: L1, or its do_* flag at L0) and in Grappler (RewriterConfig) is on
    unless both are switched off, as in TF; Grappler-only passes follow their RewriterConfig toggle."""
    graph_options = config.graph_options if config is not None else GraphOptions()
    opt = graph_options.optimizer_options
    rw = graph_options.rewrite_options
    if rw is None:
        rw = RewriterConfig()
    classic = int(opt.opt_level) >= OptimizerOptions.L1
    return {
        "constant_folding": classic or bool(opt.do_constant_folding) or _toggle_on(rw, "constant_folding"),
        "common_subexpression_elimination": classic or bool(opt.do_common_subexpression_elimination)
        or _toggle_on(rw, "common_subgraph_elimination"),
        "function_inlining": bool(opt.do_function_inlining) or _toggle_on(rw, "function_optimization"),
        "arithmetic_optimization": _toggle_on(rw, "arithmetic_optimization"),
        "dependency_optimization": _toggle_on(rw, "dependency_optimization"),
        "fusion": _toggle_on(rw, "remapping"),
        "layout_optimization": _toggle_on(rw, "layout_optimizer"),
        "loop_optimization": _toggle_on(rw, "loop_optimization"),
        "shape_optimization": _toggle_on(rw, "shape_optimization"),
        "memory_optimization": not rw.disable_meta_optimizer
        and int(rw.memory_optimization) != RewriterConfig.NO_MEM_OPT,
        "model_pruning": not rw.disable_meta_optimizer and not rw.disable_model_pruning,
    }


def session_options(config: Any) -> Dict[str, Any]:
    """The keyword arguments of ``graphrt._core.Session`` for a ConfigProto (None = defaults).
    TypeError/ValueError for malformed fields, NotFoundError for ``device_count={'CPU': 0}``."""
    from graphrt.framework import errors
    if config is None:
        config = ConfigProto()
    elif not isinstance(config, ConfigProto):
        raise TypeError(f"config must be a tf.ConfigProto, but got {type(config).__name__}")
    inter = int(config.inter_op_parallelism_threads)
    intra = int(config.intra_op_parallelism_threads)
    if intra < 0:
        raise ValueError("intra_op_parallelism_threads must be >= 0")
    device_count = config.device_count or {}
    if not isinstance(device_count, dict):
        raise TypeError(f"device_count must be a dict of device type -> count, got {type(device_count).__name__}")
    cpus = int(device_count.get("CPU", 1))
    if cpus < 1:
        raise errors.NotFoundError(None, None, "No CPU devices are available in this process")
    pools = []
    for p in config.session_inter_op_thread_pool or []:
        if isinstance(p, dict):
            p = ThreadPoolOptionProto(**p)
        if not isinstance(p, ThreadPoolOptionProto):
            raise TypeError("session_inter_op_thread_pool entries must be ThreadPoolOptionProto, got "
                            f"{type(p).__name__}")
        n = int(p.num_threads)
        if n < 0:
            raise ValueError(f"ThreadPoolOptionProto.num_threads must be >= 0, got {n}")
        pools.append((n, str(p.global_name or "")))
    timeout = int(config.operation_timeout_in_ms)
    return dict(inter_op_threads=inter, intra_op_threads=intra,
                use_per_session_threads=bool(config.use_per_session_threads), inter_op_pools=pools,
                cpu_device_count=cpus, allow_soft_placement=bool(config.allow_soft_placement),
                log_device_placement=bool(config.log_device_placement), operation_timeout_in_ms=timeout,
                optimizer_switches=optimizer_switches(config))


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
