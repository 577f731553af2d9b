"""Gradients of functional control flow.

If/StatelessIf: the gradient is another If on the same predicate whose branches re-trace the forward
branch bodies (imported from the graph's function library) and differentiate them, so no forward
intermediates need to be kept. While/StatelessWhile: see the design note above ``_while_grad``
(a recording While that keeps each iteration's loop state, then a backward While applying the
body's vector-Jacobian product from the last iteration to the first).
"""
from __future__ import annotations

from typing import Any, Dict, List

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework.func_graph import FuncGraph, func_attr
from graphrt.framework.graph_def import NodeDef
from graphrt.gradients.indexed_slices import to_dense
from graphrt.gradients.registry import RegisterGradient

_PREFIX = "fwd/"


def _find_function(graph: _ops.Graph, name: str) -> Any:
    root = graph._root_graph()
    for f in root._functions:
        if f.signature.name == name:
            return f
    raise LookupError(f"Function {name!r} not found in the graph's library")


def _import_body(fg: FuncGraph, fdef: Any, args: List[_ops.Tensor]) -> List[_ops.Tensor]:
    """Adds ``fdef``'s nodes to ``fg`` (names prefixed) with its arguments bound to ``args``; returns
    the tensors of its outputs."""
    by_name: Dict[str, _ops.Operation] = {}
    arg_of: Dict[str, _ops.Tensor] = {a.name: t for a, t in zip(fdef.signature.input_arg, args)}

    def resolve(ref: str) -> _ops.Tensor:
        name, _, idx = ref.partition(":")
        i = int(idx) if idx else 0
        if name in arg_of:
            if i != 0:
                raise ValueError(f"Bad reference {ref!r} to a function argument")
            return arg_of[name]
        return by_name[name].outputs[i]

    for nd in fdef.node_def:
        new = NodeDef.FromString(nd.SerializeToString())
        new.name = _PREFIX + nd.name
        del new.input[:]
        inputs, control = [], []
        for ref in nd.input:
            if ref.startswith("^"):
                c = ref[1:]
                if c in by_name:
                    control.append(by_name[c])
                    new.input.append("^" + by_name[c].name)
                continue
            t = resolve(ref)
            inputs.append(t)
            new.input.append(t._as_node_def_input())
        new.device = ""
        by_name[nd.name] = fg._add_imported_op(new, inputs, control)
    outs = []
    for arg in fdef.signature.output_arg:
        outs.append(resolve(fdef.ret[arg.name]))
    return outs


def _trainable(t: Any) -> bool:
    return t.dtype.is_floating


def _branch_grad(graph: _ops.Graph, op: _ops.Operation, fname: str, ins: List[_ops.Tensor],
                 grads: List[Any], out_idx: List[int], in_idx: List[int], tag: str) -> FuncGraph:
    from graphrt.gradients.gradients_impl import gradients
    from graphrt.ops import array_ops
    fdef = _find_function(graph, fname)
    fg = FuncGraph(graph._unique_function_name(f"{fname}_grad"), graph)
    with fg.as_default():
        in_ph = [fg.add_input(t.dtype, t.shape, f"input_{i}") for i, t in enumerate(ins)]
        g_ph = [fg.add_input(g.dtype, g.shape, f"grad_{k}") for k, g in enumerate(grads)]
        outs = _import_body(fg, fdef, in_ph)
        ys = [outs[k] for k in out_idx]
        dxs = gradients(ys, [in_ph[i] for i in in_idx], grad_ys=g_ph)
        results = []
        for i, d in zip(in_idx, dxs):
            d = array_ops.zeros_like(in_ph[i]) if d is None else to_dense(d)
            results.append(fg.create_op("Identity", [d], name="grad_out", attrs={"T": d.dtype}).outputs[0])
    fg._grad_results = results
    return fg


def _if_grad(op: _ops.Operation, *grads: Any) -> List[Any]:
    graph = op.graph
    pred, ins = op.inputs[0], list(op.inputs[1:])
    out_idx = [k for k, g in enumerate(grads) if g is not None and _trainable(op.outputs[k])]
    in_idx = [i for i, t in enumerate(ins) if _trainable(t)]
    if not out_idx or not in_idx:
        return [None] * len(op.inputs)
    gs = [to_dense(grads[k]) for k in out_idx]
    then_name = op.get_attr("then_branch").name
    else_name = op.get_attr("else_branch").name
    then_g = _branch_grad(graph, op, then_name, ins, gs, out_idx, in_idx, "then")
    else_g = _branch_grad(graph, op, else_name, ins, gs, out_idx, in_idx, "else")
    graph._add_function(then_g.to_function_def(then_g._grad_results))
    graph._add_function(else_g.to_function_def(else_g._grad_results))
    shapes = []
    for a, b in zip(then_g._grad_results, else_g._grad_results):
        sa, sb = a.shape, b.shape
        if sa.rank is None or sb.rank is None or sa.rank != sb.rank:
            shapes.append(_ts.unknown_shape())
        else:
            shapes.append(_ts.TensorShape([x if x == y else None for x, y in zip(sa.as_list(), sb.as_list())]))
    inputs = ins + gs
    gop = graph.create_op(op.type, [pred] + inputs, name=op.type, attrs={
        "Tcond": pred.dtype, "Tin": [t.dtype for t in inputs], "Tout": [t.dtype for t in then_g._grad_results],
        "then_branch": func_attr(then_g.name), "else_branch": func_attr(else_g.name), "output_shapes": shapes})
    result: List[Any] = [None] * len(op.inputs)
    for i, t in zip(in_idx, gop.outputs):
        result[1 + i] = t
    return result


RegisterGradient("If")(_if_grad)
RegisterGradient("StatelessIf")(_if_grad)


# ---- While -----------------------------------------------------------------------------------------
#
# Design (O(n) body evaluations). The forward While op keeps no intermediates, and it is already built
# (its outputs may be consumed) when its gradient is requested, so its gradient re-runs the loop:
#
# 1. A *recording* While runs the forward cond/body again (imported from the function library) from the
#    op's own inputs, and pushes every loop variable's value at the start of each iteration onto a
#    history loop variable (``concat`` along a new leading axis when the shape invariant is fully
#    defined; otherwise flat values + element offsets + flat shapes + rank offsets, so shapes may vary
#    across iterations). It also counts the iterations n.
# 2. A *backward* While runs k = n-1 .. 0: it reads the state v_k from the histories, re-imports the
#    forward body applied to v_k and takes its vector-Jacobian product (``tf.gradients`` with the
#    running adjoints as grad_ys), updating the adjoints of the loop variables and accumulating the
#    gradients of loop-invariant inputs (captured outer tensors, variables' resource handles, loop
#    variables the body returns unchanged, maximum_iterations).
#
# Cost: two forward passes plus one backward pass of the body, and history copies (each push copies the
# history so far: the runtime has no TensorList). The body must be a pure function of its inputs (and of
# variables not modified inside the step), as it is evaluated again: stateful random ops inside a
# differentiated loop would see new draws.

_WHILE_REC = "__while_rec"


def _passthrough(fdef: Any) -> List[bool]:
    """For each body argument: whether the body returns it unchanged (a loop invariant)."""
    args = [a.name for a in fdef.signature.input_arg]
    rets = [fdef.ret.get(a.name) for a in fdef.signature.output_arg]
    if len(rets) != len(args):
        raise ValueError(f"While body {fdef.signature.name!r} returns {len(rets)} values for {len(args)} args")
    return [r in (n, n + ":0") for n, r in zip(args, rets)]


def _resource_dtype(handle: _ops.Tensor, arg_name: str, fdef: Any) -> Any:
    """The value dtype of the variable behind a resource ``handle`` (input ``arg_name`` of ``fdef``)."""
    t = handle
    for _ in range(16):
        op = t.op
        if op.type == "VarHandleOp":
            return _dtypes.as_dtype(op.get_attr("dtype"))
        if op.type in ("Identity", "Snapshot") and op.inputs:
            t = op.inputs[0]
            continue
        break
    for nd in fdef.node_def:
        if any(i in (arg_name, arg_name + ":0") for i in nd.input) and "dtype" in nd.attr \
                and nd.op in ("ReadVariableOp", "ResourceGather"):
            return _dtypes.as_dtype(nd.attr["dtype"].type)
    raise NotImplementedError(f"Cannot tell the dtype of the variable read through {handle.name} in a while_loop")


class _History:
    """The per-iteration values of one loop variable, carried as loop variables of the recording While."""

    def __init__(self, init: _ops.Tensor, shape: _ts.TensorShape):
        import numpy as np
        from graphrt.gradients import _util as u
        self.dtype = init.dtype
        self.shape = shape
        self.static = shape.is_fully_defined()
        npd = init.dtype.as_numpy_dtype
        if self.static:
            self.init = [u.const(np.zeros([0] + shape.as_list(), npd), init.dtype)]
            self.invariants = [_ts.TensorShape([None] + shape.as_list())]
        else:
            self.init = [u.const(np.zeros([0], npd), init.dtype), u.const([0], _dtypes.int32),
                         u.const(np.zeros([0], np.int32), _dtypes.int32), u.const([0], _dtypes.int32)]
            self.invariants = [_ts.TensorShape([None])] * 4

    def push(self, state: List[_ops.Tensor], v: _ops.Tensor) -> List[_ops.Tensor]:
        from graphrt.ops import array_ops
        if self.static:
            return [array_ops.concat([state[0], array_ops.expand_dims(v, 0)], 0)]
        vals, voff, shp, soff = state

        def last(t: _ops.Tensor) -> _ops.Tensor:
            return array_ops.strided_slice(t, [-1], [0], [1], end_mask=1)

        from graphrt.ops import math_ops
        vals = array_ops.concat([vals, array_ops.reshape(v, [-1])], 0)
        voff = array_ops.concat([voff, math_ops.add(last(voff), array_ops.reshape(array_ops.size(v), [1]))], 0)
        shp = array_ops.concat([shp, array_ops.shape(v)], 0)
        soff = array_ops.concat([soff, math_ops.add(last(soff), array_ops.reshape(array_ops.rank(v), [1]))], 0)
        return [vals, voff, shp, soff]

    def get(self, state: List[_ops.Tensor], k: _ops.Tensor) -> _ops.Tensor:
        from graphrt.ops import array_ops, math_ops
        if self.static:
            out = array_ops.strided_slice(state[0], array_ops.reshape(k, [1]),
                                          array_ops.reshape(math_ops.add(k, 1), [1]), [1], shrink_axis_mask=1)
        else:
            vals, voff, shp, soff = state

            def span(flat: _ops.Tensor, off: _ops.Tensor) -> _ops.Tensor:
                pair = array_ops.slice(off, array_ops.reshape(k, [1]), [2])
                begin = array_ops.slice(pair, [0], [1])
                size = math_ops.subtract(array_ops.slice(pair, [1], [1]), begin)
                return array_ops.slice(flat, begin, size)

            out = array_ops.reshape(span(vals, voff), span(shp, soff))
        out.set_shape(self.shape)
        return out


def _import_fn(fdef: Any, args: List[_ops.Tensor]) -> List[_ops.Tensor]:
    """``fdef`` applied to ``args`` inside the graph being built (outer tensors captured first)."""
    fg = _ops.get_default_graph()
    if isinstance(fg, FuncGraph):
        args = [fg.capture(a) if a.graph is not fg else a for a in args]
    return _import_body(fg, fdef, args)


def _while_grad(op: _ops.Operation, *grads: Any) -> List[Any]:  # noqa: C901
    from graphrt.gradients.gradients_impl import gradients
    from graphrt.ops import array_ops, control_flow_ops, math_ops
    graph = op.graph
    body_fdef = _find_function(graph, op.get_attr("body").name)
    cond_fdef = _find_function(graph, op.get_attr("cond").name)
    ins = list(op.inputs)
    n_in = len(ins)
    inv = _passthrough(body_fdef)
    shapes = control_flow_ops._output_shapes(op)
    arg_names = [a.name for a in body_fdef.signature.input_arg]

    def grad_of(i: int) -> Any:
        g = grads[i] if i < len(grads) else None
        return None if g is None else to_dense(g)

    adj_idx = [i for i in range(n_in) if not inv[i] and ins[i].dtype.is_floating]
    acc_idx = [i for i in range(n_in) if inv[i] and (ins[i].dtype.is_floating or ins[i].dtype.name == "resource")]
    rec_idx = [i for i in range(n_in) if not inv[i]]
    for i in rec_idx:
        if ins[i].dtype.name in ("resource", "variant", "string"):
            raise NotImplementedError(f"The gradient of a while_loop whose body changes a {ins[i].dtype.name} "
                                      f"loop variable ({ins[i].name}) is not implemented")
    result: List[Any] = [None] * n_in
    if not adj_idx:
        # Nothing the body computes is differentiable: only pass-through outputs carry gradients.
        for i in acc_idx:
            if ins[i].dtype.is_floating:
                result[i] = grad_of(i)
        return result
    invariant_in = {i: ins[i] for i in range(n_in) if inv[i]}

    def args_for(current: Dict[int, _ops.Tensor]) -> List[_ops.Tensor]:
        out = []
        for i in range(n_in):
            if i in current:
                out.append(current[i])
            else:  # one Identity per slot, so repeated outer tensors get separate gradients
                out.append(array_ops.identity(invariant_in[i]))
        return out

    # 1. Recording loop: the same iterations, with every changing loop variable's history.
    hists = {i: _History(ins[i], shapes[i]) for i in rec_idx}
    n_hist = [len(hists[i].init) for i in rec_idx]

    def split_rec(vs: List[Any]) -> Any:
        count, cur = vs[0], dict(zip(rec_idx, vs[1:1 + len(rec_idx)]))
        states, pos = {}, 1 + len(rec_idx)
        for i, m in zip(rec_idx, n_hist):
            states[i] = list(vs[pos:pos + m])
            pos += m
        return count, cur, states

    def rec_cond(*vs: Any) -> Any:
        _, cur, _ = split_rec(list(vs))
        return _import_fn(cond_fdef, args_for(cur))[0]

    def rec_body(*vs: Any) -> Any:
        count, cur, states = split_rec(list(vs))
        outs = _import_fn(body_fdef, args_for(cur))
        new = [math_ops.add(count, 1)] + [outs[i] for i in rec_idx]
        for i in rec_idx:
            new.extend(hists[i].push(states[i], cur[i]))
        return new

    rec_vars = [_int32_scalar(0)] + [ins[i] for i in rec_idx]
    rec_inv = [_ts.scalar()] + [shapes[i] for i in rec_idx]
    for i in rec_idx:
        rec_vars.extend(hists[i].init)
        rec_inv.extend(hists[i].invariants)
    rec_out = control_flow_ops.while_loop(rec_cond, rec_body, rec_vars, shape_invariants=rec_inv,
                                          name="record", return_same_structure=True)
    n_iter, _, hist_states = split_rec(list(rec_out))

    # 2. Backward loop over k = n-1 .. 0.
    adj0 = [grad_of(i) if grad_of(i) is not None else array_ops.zeros_like(ins[i]) for i in adj_idx]
    acc0 = []
    acc_inv = []
    for i in acc_idx:
        g = grad_of(i) if ins[i].dtype.is_floating else None
        if g is None:
            if ins[i].dtype.name == "resource":
                from graphrt.ops import resource_variable_ops
                dt = _resource_dtype(ins[i], arg_names[i], body_fdef)
                g = array_ops.zeros_like(resource_variable_ops.read_variable_op(ins[i], dt))
            else:
                g = array_ops.zeros_like(ins[i])
        acc0.append(g)
        acc_inv.append(g.shape)
    na = len(adj_idx)

    def bwd_cond(k: Any, *rest: Any) -> Any:
        return math_ops.greater_equal(k, 0)

    def bwd_body(k: Any, *rest: Any) -> Any:
        adj, acc = list(rest[:na]), list(rest[na:])
        cur = {i: hists[i].get(hist_states[i], k) for i in rec_idx}
        args = args_for(cur)
        outs = _import_fn(body_fdef, args)
        xs = [args[i] for i in adj_idx] + [args[i] for i in acc_idx]
        dxs = gradients([outs[i] for i in adj_idx], xs, grad_ys=adj)
        new_adj = []
        for j, i in enumerate(adj_idx):
            d = dxs[j]
            new_adj.append(array_ops.zeros_like(args[i]) if d is None else to_dense(d))
        new_acc = []
        for j, i in enumerate(acc_idx):
            d = dxs[na + j]
            new_acc.append(acc[j] if d is None else math_ops.add(acc[j], to_dense(d)))
        return [math_ops.subtract(k, 1)] + new_adj + new_acc

    k0 = math_ops.subtract(n_iter, 1)
    bwd_out = control_flow_ops.while_loop(bwd_cond, bwd_body, [k0] + adj0 + acc0,
                                          shape_invariants=[_ts.scalar()] + [shapes[i] for i in adj_idx] + acc_inv,
                                          name="backward", return_same_structure=True)
    for j, i in enumerate(adj_idx):
        result[i] = bwd_out[1 + j]
    for j, i in enumerate(acc_idx):
        result[i] = bwd_out[1 + na + j]
    return result


def _int32_scalar(v: int) -> _ops.Tensor:
    from graphrt.gradients import _util as u
    return u.const(v, _dtypes.int32)


RegisterGradient("While")(_while_grad)
RegisterGradient("StatelessWhile")(_while_grad)
