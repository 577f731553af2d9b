"""Control flow: no_op, group, tuple, cond, case, while_loop.

cond and while_loop trace their branches/bodies into FuncGraphs and emit functional If / While ops
whose bodies are FunctionDefs in the graph's library; the runtime runs only the taken branch.
"""
from __future__ import annotations

import builtins
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import nest
from graphrt.framework import op_registry
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.func_graph import FuncGraph, func_attr

__all__ = [
    "no_op",
    "group",
    "tuple",
    "cond",
    "case",
    "while_loop",
]


def no_op(name: Optional[str] = None) -> _ops.Operation:
    """An op that does nothing; useful as a target with control dependencies."""
    return _ops.get_default_graph().create_op("NoOp", [], name=name or "NoOp")


def group(*inputs: Any, **kwargs: Any) -> _ops.Operation:
    """An op that runs after all ``inputs`` (Operations or Tensors)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unknown keyword arguments: {sorted(kwargs)}")
    deps = []
    for i in inputs:
        if isinstance(i, (list, builtins.tuple)):
            deps.extend(i)
        else:
            deps.append(i)
    g = _ops.op_scope_graph(deps)
    with g.as_default(), g.control_dependencies(deps):
        return no_op(name=name or "group_deps")


def tuple(tensors: Sequence[Any], name: Optional[str] = None, control_inputs: Any = None) -> List[Any]:  # noqa: A001
    """Identities of ``tensors`` that are available only after all of them (and control_inputs)."""
    tensors = [t if t is None else _ops.convert_to_tensor(t) for t in tensors]
    real = [t for t in tensors if t is not None]
    if not real:
        return tensors
    g = _ops.op_scope_graph(real)
    with g.as_default(), g.name_scope(name or "tuple"):
        deps = [t.op for t in real] + list(control_inputs or [])
        gate = group(*deps)
        out = []
        with g.control_dependencies([gate]):
            for t in tensors:
                out.append(None if t is None else g.create_op("Identity", [t], attrs={"T": t.dtype}).outputs[0])
        return out


# ---- helpers ---------------------------------------------------------------------------------------

def _most_specific_compatible(a: _ts.TensorShape, b: _ts.TensorShape) -> _ts.TensorShape:
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return _ts.unknown_shape()
    return _ts.TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _trace(fg: FuncGraph, fn: Callable[..., Any], args: Sequence[Any]) -> Tuple[Any, List[Any]]:
    """Calls ``fn`` with ``fg`` as the default graph; returns its structure and flat leaves with every
    leaf a Tensor of ``fg`` (Operations become a True constant gated on them)."""
    with fg.as_default():
        out = fn(*args)
        flat = []
        for leaf in nest.flatten(out):
            if isinstance(leaf, _ops.Operation):
                with fg.control_dependencies([leaf]):
                    leaf = _ops.convert_to_tensor(True)
                    leaf = fg.create_op("Identity", [leaf], attrs={"T": leaf.dtype}).outputs[0]
            elif leaf is None:
                raise ValueError("A cond branch or loop body returned None")
            else:
                leaf = _ops.convert_to_tensor(leaf)
                if leaf.graph is not fg:
                    leaf = fg.capture(leaf)
            flat.append(leaf)
    return out, flat


def _align_captures(graphs: Sequence[FuncGraph]) -> List[_ops.Tensor]:
    """Gives every graph a placeholder for every outer tensor any of them captured; returns the outer
    tensors in one shared order (the extra inputs of the If/While op)."""
    order: Dict[int, _ops.Tensor] = {}
    for g in graphs:
        for key, (outer, _) in list(g.captures.items()):
            order.setdefault(key, outer)
    for g in graphs:
        for outer in order.values():
            g.capture(outer)
    return list(order.values())


def _capture_placeholders(g: FuncGraph, outer: Sequence[_ops.Tensor]) -> List[_ops.Tensor]:
    return [g.captures[id(t)][1] for t in outer]


def _finish_inputs(g: FuncGraph, explicit: Sequence[_ops.Tensor], outer: Sequence[_ops.Tensor]) -> None:
    """Orders ``g.inputs`` as the op will feed them: explicit args, then captures in ``outer`` order."""
    g.inputs = list(explicit) + _capture_placeholders(g, outer)


# ---- cond / case ---------------------------------------------------------------------------------

def cond(pred: Any, true_fn: Optional[Callable[[], Any]] = None, false_fn: Optional[Callable[[], Any]] = None,
         strict: bool = False, name: Optional[str] = None, fn1: Optional[Callable[[], Any]] = None,
         fn2: Optional[Callable[[], Any]] = None) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``; only the taken branch runs. Both must return the
    same structure of tensors with the same dtypes."""
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    graph = _ops.get_default_graph()
    if isinstance(pred, _ops.Tensor) and pred.graph is not graph and not (
            graph._building_function and graph._has_ancestor(pred.graph)):
        graph = pred.graph
    with graph.as_default(), graph.name_scope(name or "cond") as scope:
        pred = _ops.convert_to_tensor(pred)
        if pred.dtype != _dtypes.bool:
            raise TypeError(f"pred must be a bool tensor, got {pred.dtype.name}")
        if pred.shape.rank not in (None, 0):
            raise ValueError(f"pred must be a scalar, got shape {pred.shape}")
        base = scope.rstrip("/").replace("/", "_")
        true_graph = FuncGraph(graph._unique_function_name(f"{base}_true"), graph)
        false_graph = FuncGraph(graph._unique_function_name(f"{base}_false"), graph)
        true_out, true_flat = _trace(true_graph, true_fn, ())
        false_out, false_flat = _trace(false_graph, false_fn, ())
        try:
            nest.assert_same_structure(true_out, false_out)
        except ValueError as e:
            raise ValueError(f"true_fn and false_fn must return the same structure: {e}") from None
        for i, (a, b) in enumerate(zip(true_flat, false_flat)):
            if a.dtype != b.dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type(s): output {i} is "
                                 f"{a.dtype.name} in true_fn and {b.dtype.name} in false_fn")
        outer = _align_captures([true_graph, false_graph])
        _finish_inputs(true_graph, [], outer)
        _finish_inputs(false_graph, [], outer)
        graph._add_function(true_graph.to_function_def(true_flat))
        graph._add_function(false_graph.to_function_def(false_flat))
        shapes = [_most_specific_compatible(a.shape, b.shape) for a, b in zip(true_flat, false_flat)]
        op = graph.create_op("If", [pred] + outer, name=scope, attrs={
            "Tcond": pred.dtype, "Tin": [t.dtype for t in outer], "Tout": [t.dtype for t in true_flat],
            "then_branch": func_attr(true_graph.name), "else_branch": func_attr(false_graph.name),
            "output_shapes": shapes})
        results = []
        for leaf, t in zip(nest.flatten(true_out), op.outputs):
            results.append(op if isinstance(leaf, _ops.Operation) else t)
        packed = nest.pack_sequence_as(true_out, results) if nest.is_sequence(true_out) else results[0]
        if not strict and isinstance(packed, (list, builtins.tuple)) and len(packed) == 1 \
                and not hasattr(packed, "_fields"):
            packed = packed[0]
        return packed


def case(pred_fn_pairs: Any, default: Optional[Callable[[], Any]] = None, exclusive: bool = False,
         strict: bool = False, name: str = "case") -> Any:
    """The result of the first ``fn`` whose ``pred`` is true (else ``default``), as nested conds.
    With ``exclusive=True`` more than one true predicate is an InvalidArgumentError at run time."""
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    else:
        pairs = list(pred_fn_pairs)
    for p in pairs:
        if not isinstance(p, (list, builtins.tuple)) or len(p) != 2 or not callable(p[1]):
            raise TypeError("pred_fn_pairs must be a list of (predicate, callable) pairs")
    if not pairs and default is None:
        raise ValueError("case needs at least one pred_fn pair or a default")
    if default is None:
        *pairs, (_, default) = pairs
    graph = _ops.get_default_graph()
    with graph.name_scope(name):
        preds = [_ops.convert_to_tensor(p) for p, _ in pairs]
        if exclusive and len(preds) > 1:
            from graphrt.ops import debug_ops
            from graphrt.ops import math_ops
            count = math_ops.add_n([math_ops.cast(p, _dtypes.int32) for p in preds])
            check = debug_ops.Assert(math_ops.less_equal(count, 1),
                                     ["Input error: exclusive=True: more than 1 conditions evaluated as True:"] +
                                     preds, name="exclusive_check")
            with graph.control_dependencies([check]):
                preds = [graph.create_op("Identity", [p], attrs={"T": p.dtype}).outputs[0] for p in preds]

        def chain(i: int) -> Any:
            if i == len(pairs):
                return default()
            return cond(preds[i], pairs[i][1], lambda: chain(i + 1), strict=strict)
        return chain(0)


# ---- while_loop ----------------------------------------------------------------------------------

def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,  # noqa: C901
               shape_invariants: Any = None, parallel_iterations: int = 10, back_prop: bool = True,
               swap_memory: bool = False, name: Optional[str] = None, maximum_iterations: Any = None,
               return_same_structure: bool = False) -> Any:
    """Repeats ``body`` while ``cond`` is true, over the (nested) ``loop_vars``. Loop variables keep
    their dtypes; their shapes must stay compatible with ``shape_invariants`` (default: the entry
    shapes)."""
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    graph = _ops.get_default_graph()
    with graph.name_scope(name or "while") as scope:
        flat_vars = [_ops.convert_to_tensor(v) for v in nest.flatten(loop_vars)]
        if not flat_vars:
            raise ValueError("No loop variables provided")
        if shape_invariants is not None:
            nest.assert_same_structure(loop_vars, shape_invariants)
            invariants = [_ts.as_shape(s) for s in nest.flatten(shape_invariants)]
        else:
            invariants = [v.shape for v in flat_vars]
        for v, inv in zip(flat_vars, invariants):
            if not inv.is_compatible_with(v.shape):
                raise ValueError(f"The shape invariant specified for {v.name} is not compatible with the initial "
                                 f"shape of the loop variable. It enters the loop with shape {v.shape}, but the "
                                 f"specified shape invariant is {inv}.")
        counted = maximum_iterations is not None
        if counted:
            max_iter = _ops.convert_to_tensor(maximum_iterations, dtype=_dtypes.int32)
            flat_vars = [_ops.convert_to_tensor(0, dtype=_dtypes.int32)] + flat_vars
            invariants = [_ts.scalar()] + invariants
        base = scope.rstrip("/").replace("/", "_")
        cond_graph = FuncGraph(graph._unique_function_name(f"{base}_cond"), graph)
        body_graph = FuncGraph(graph._unique_function_name(f"{base}_body"), graph)
        cond_args = [cond_graph.add_input(v.dtype, s, "loop_var") for v, s in zip(flat_vars, invariants)]
        body_args = [body_graph.add_input(v.dtype, s, "loop_var") for v, s in zip(flat_vars, invariants)]
        user_cond = cond_args[1:] if counted else cond_args
        user_body = body_args[1:] if counted else body_args

        def call_cond() -> Any:
            c = cond(*_as_args(loop_vars, user_cond))
            c = _ops.convert_to_tensor(c)
            if c.dtype != _dtypes.bool or c.shape.rank not in (None, 0):
                raise ValueError(f"cond must return a boolean scalar tensor, got {c!r}")
            if counted:
                from graphrt.ops import math_ops
                c = math_ops.logical_and(math_ops.less(cond_args[0], cond_graph.capture(max_iter)
                                                       if max_iter.graph is not cond_graph else max_iter), c)
            return c

        def call_body() -> Any:
            out = body(*_as_args(loop_vars, user_body))
            if len(nest.flatten(loop_vars)) == 1 and not nest.is_sequence(out):
                out = [out] if nest.is_sequence(loop_vars) else out
            try:
                nest.assert_same_structure(loop_vars if nest.is_sequence(loop_vars) else [loop_vars],
                                           out if nest.is_sequence(out) else [out])
            except ValueError as e:
                raise ValueError(f"body must return the same structure as loop_vars: {e}") from None
            flat = nest.flatten(out)
            if counted:
                from graphrt.ops import math_ops
                flat = [math_ops.add(body_args[0], 1)] + flat
            return flat

        _, cond_flat = _trace(cond_graph, call_cond, ())
        _, body_flat = _trace(body_graph, call_body, ())
        for v, inv, new in zip(flat_vars, invariants, body_flat):
            if new.dtype != v.dtype:
                raise TypeError(f"Loop variable {v.name} enters the loop as {v.dtype.name} but the body returns "
                                f"{new.dtype.name}")
            if not inv.is_compatible_with(new.shape):
                raise ValueError(f"Input tensor '{v.name}' enters the loop with shape {inv}, but has shape "
                                 f"{new.shape} after one iteration. To allow the shape to vary across "
                                 "iterations, use the `shape_invariants` argument of tf.while_loop to specify "
                                 "a less-specific shape.")
        outer = _align_captures([cond_graph, body_graph])
        _finish_inputs(cond_graph, cond_args, outer)
        _finish_inputs(body_graph, body_args, outer)
        # Captured values pass through the body unchanged.
        body_outputs = list(body_flat) + _capture_placeholders(body_graph, outer)
        graph._add_function(cond_graph.to_function_def(cond_flat))
        graph._add_function(body_graph.to_function_def(body_outputs))
        inputs = flat_vars + outer
        op = graph.create_op("While", inputs, name=scope, attrs={
            "T": [t.dtype for t in inputs], "cond": func_attr(cond_graph.name), "body": func_attr(body_graph.name),
            "output_shapes": list(invariants) + [t.shape for t in outer],
            "parallel_iterations": int(parallel_iterations)})
        results = op.outputs[1 if counted else 0:len(flat_vars)]
        packed = nest.pack_sequence_as(loop_vars, results) if nest.is_sequence(loop_vars) else results[0]
        if not return_same_structure and isinstance(packed, (list, builtins.tuple)) and len(packed) == 1 \
                and not hasattr(packed, "_fields"):
            packed = packed[0]
        return packed


def _as_args(loop_vars: Any, flat: List[_ops.Tensor]) -> List[Any]:
    """The loop variables as the positional arguments cond/body receive (one per top-level var)."""
    if nest.is_sequence(loop_vars) and not isinstance(loop_vars, dict):
        packed = nest.pack_sequence_as(loop_vars, flat)
        return list(packed)
    return [nest.pack_sequence_as(loop_vars, flat) if nest.is_sequence(loop_vars) else flat[0]]


# ---- static shapes of If/While ---------------------------------------------------------------------

def _list_types(attr: str) -> Callable:
    def types(nd: Any, inputs: Any) -> List[_dtypes.DType]:
        return [_dtypes.as_dtype(t) for t in nd.attr[attr].list.type]
    return types


def _output_shapes(op: Any) -> List[_ts.TensorShape]:
    from graphrt.framework.ops import _shape_from_proto
    nd = op._node_def
    if "output_shapes" in nd.attr:
        shapes = [_shape_from_proto(s) for s in nd.attr["output_shapes"].list.shape]
        if len(shapes) == len(op.outputs):
            return shapes
    return [_ts.unknown_shape() for _ in op.outputs]


for _op in ("If", "StatelessIf"):
    op_registry.register(_op, _list_types("Tout"), _output_shapes)
for _op in ("While", "StatelessWhile"):
    op_registry.register(_op, _list_types("T"), _output_shapes)
