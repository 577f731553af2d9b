"""Linear algebra ops: transpose, matrix_transpose, batched matmul, tensordot and einsum."""
from __future__ import annotations

import string as _string
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from graphrt.framework import dtypes as _dtypes
from graphrt.framework import op_registry as _reg
from graphrt.framework import ops as _ops
from graphrt.framework import tensor_shape as _ts
from graphrt.framework import tensor_util as _tu
from graphrt.framework.constant_op import constant as _constant

__all__ = [
    "transpose",
    "matrix_transpose",
    "tensordot",
    "einsum",
]  # the tf.* names this module provides


# ---- static shape functions ----------------------------------------------------------------------

def _transpose_shape(op: Any) -> List[_ts.TensorShape]:
    x = op.inputs[0].shape
    perm_t = op.inputs[1]
    perm = _tu.constant_value(perm_t)
    if perm is None:
        if x.rank is not None:
            return [_ts.unknown_shape(x.rank)]
        n = perm_t.shape[0] if perm_t.shape.rank == 1 else None
        return [_ts.unknown_shape(n)]
    perm = [int(p) for p in np.asarray(perm).ravel()]
    if np.asarray(_tu.constant_value(perm_t)).ndim != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {np.asarray(_tu.constant_value(perm_t)).ndim} for "
                         f"'{op.name}' (op: '{op.type}')")
    rank = len(perm) if x.rank is None else x.rank
    if len(perm) != rank:
        raise ValueError(f"Dimension must be {rank} but is {len(perm)} for '{op.name}' (op: '{op.type}') with "
                         f"input shapes: {x}, [{len(perm)}].")
    for p in perm:
        if p < 0 or p >= rank:
            raise ValueError(f"perm dim {p} is out of range of input rank {rank} for '{op.name}' (op: '{op.type}')")
    if sorted(perm) != list(range(rank)):
        raise ValueError(f"perm {perm} is not a permutation for '{op.name}' (op: '{op.type}')")
    if x.rank is None:
        return [_ts.unknown_shape(rank)]
    dims = x.as_list()
    return [_ts.TensorShape([dims[p] for p in perm])]


def _batch_matmul_shape(op: Any) -> List[_ts.TensorShape]:
    x, y = op.inputs[0].shape, op.inputs[1].shape
    v2 = op.type == "BatchMatMulV2"
    for s, which in ((x, 0), (y, 1)):
        if s.rank is not None and s.rank < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank {s.rank} for '{op.name}' (op: '{op.type}') "
                             f"with input shapes: {x}, {y}.")
    if x.rank is None or y.rank is None:
        return [_ts.unknown_shape()]
    adj_x = op.get_attr("adj_x") if "adj_x" in op._node_def.attr else False
    adj_y = op.get_attr("adj_y") if "adj_y" in op._node_def.attr else False
    xd, yd = x.as_list(), y.as_list()
    m, k = (xd[-1], xd[-2]) if adj_x else (xd[-2], xd[-1])
    k2, n = (yd[-1], yd[-2]) if adj_y else (yd[-2], yd[-1])
    if k is not None and k2 is not None and k != k2:
        raise ValueError(f"Dimensions must be equal, but are {k} and {k2} for '{op.name}' (op: '{op.type}') with "
                         f"input shapes: {x}, {y}.")
    if v2:
        try:
            batch = _reg.broadcast_static(_ts.TensorShape(xd[:-2]), _ts.TensorShape(yd[:-2])).as_list()
        except ValueError as e:
            raise ValueError(f"{e} for '{op.name}' (op: '{op.type}')") from None
    else:
        if len(xd) != len(yd):
            raise ValueError(f"Shape must be rank {len(xd)} but is rank {len(yd)} for '{op.name}' (op: '{op.type}') "
                             f"with input shapes: {x}, {y}.")
        try:
            batch = _ts.TensorShape(xd[:-2]).merge_with(_ts.TensorShape(yd[:-2])).as_list()
        except ValueError:
            raise ValueError(f"Dimensions must be equal for batch dims of '{op.name}' (op: '{op.type}') with input "
                             f"shapes: {x}, {y}.") from None
    return [_ts.TensorShape(batch + [m, n])]


_reg.register("Transpose", _reg.input_type(0), _transpose_shape)
_reg.register("ConjugateTranspose", _reg.input_type(0), _transpose_shape)
_reg.register("BatchMatMul", _reg.input_type(0), _batch_matmul_shape)
_reg.register("BatchMatMulV2", _reg.input_type(0), _batch_matmul_shape)


# ---- helpers -------------------------------------------------------------------------------------

def _graph_for(*values: Any) -> _ops.Graph:
    return _ops.op_scope_graph([v for v in values if isinstance(v, (_ops.Tensor, _ops.Operation))])


def _transpose_op(x: _ops.Tensor, perm: Any, name: Optional[str], conjugate: bool = False) -> _ops.Tensor:
    g = x.graph
    with g.as_default():
        if isinstance(perm, _ops.Tensor):
            p = perm
            if p.dtype not in (_dtypes.int32, _dtypes.int64):
                raise TypeError(f"perm must be int32 or int64, got {p.dtype.name}")
        else:
            p = _constant(np.asarray(perm, dtype=np.int32).reshape(-1), dtype=_dtypes.int32, name="perm")
        op_type = "ConjugateTranspose" if conjugate else "Transpose"
        return g.create_op(op_type, [x, p], name=name, attrs={"T": x.dtype, "Tperm": p.dtype}).outputs[0]


def _reshape(x: _ops.Tensor, dims: Sequence[Optional[int]]) -> _ops.Tensor:
    """Reshape to ``dims`` where at most one entry is unknown (None -> -1); no op when unchanged."""
    from graphrt.ops.array_ops import reshape
    dims = list(dims)
    if x.shape.rank is not None and x.shape.as_list() == dims and None not in dims:
        return x
    if dims.count(None) > 1:
        raise ValueError(f"Cannot reshape {x.name} of shape {x.shape} to {dims}: more than one unknown dimension "
                         "(statically known shapes are needed here)")
    return reshape(x, [-1 if d is None else int(d) for d in dims])


def _prod(dims: Sequence[Optional[int]]) -> Optional[int]:
    if any(d is None for d in dims):
        return None
    return int(np.prod(dims, dtype=np.int64))


# ---- public API ----------------------------------------------------------------------------------

def transpose(a: Any, perm: Any = None, name: str = "transpose", conjugate: bool = False) -> _ops.Tensor:
    """Permutes the dimensions of ``a`` according to ``perm`` (reversed when ``perm`` is None)."""
    g = _graph_for(a, perm)
    with g.as_default(), g.name_scope(name) as scope:
        x = _ops.convert_to_tensor(a, name="a")
        if perm is None:
            if x.shape.rank is None:
                return _transpose_op(x, _reverse_perm(x), scope, conjugate)
            perm = list(range(x.shape.rank - 1, -1, -1))
        return _transpose_op(x, perm, scope, conjugate)


def _reverse_perm(x: _ops.Tensor) -> _ops.Tensor:
    """``(rank(x) - 1) - range(rank(x))`` as ops, for an input of unknown rank."""
    import graphrt
    needed = ("rank", "range", "subtract")
    if not all(hasattr(graphrt, f) for f in needed):
        raise ValueError(f"transpose with perm=None needs a known rank for {x.name} (shape {x.shape})")
    rank = graphrt.rank(x)
    return graphrt.subtract(graphrt.subtract(rank, 1), graphrt.range(0, rank, 1))


def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> _ops.Tensor:
    """Transposes the last two dimensions of ``a`` (rank >= 2)."""
    g = _graph_for(a)
    with g.as_default(), g.name_scope(name) as scope:
        x = _ops.convert_to_tensor(a, name="a")
        rank = x.shape.rank
        if rank is None:
            raise ValueError(f"matrix_transpose needs an input of known rank, got {x.shape}")
        if rank < 2:
            raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: {x.shape}")
        perm = list(range(rank - 2)) + [rank - 1, rank - 2]
        return _transpose_op(x, perm, scope, conjugate)


def batch_matmul_v2(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False,
                    name: Optional[str] = None) -> _ops.Tensor:
    """The BatchMatMulV2 op: matmul over the last two dims, numpy-broadcast batch dims."""
    return _batch_matmul("BatchMatMulV2", x, y, adj_x, adj_y, name)


def batch_matmul(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False,
                 name: Optional[str] = None) -> _ops.Tensor:
    """The BatchMatMul op: matmul over the last two dims, equal batch dims."""
    return _batch_matmul("BatchMatMul", x, y, adj_x, adj_y, name)


def _batch_matmul(op_type: str, x: Any, y: Any, adj_x: bool, adj_y: bool, name: Optional[str]) -> _ops.Tensor:
    g = _graph_for(x, y)
    with g.as_default():
        if isinstance(x, _ops.Tensor):
            x, y = x, _ops.convert_to_tensor(y, dtype=None if isinstance(y, _ops.Tensor) else x.dtype)
        elif isinstance(y, _ops.Tensor):
            x = _ops.convert_to_tensor(x, dtype=y.dtype)
        else:
            x = _ops.convert_to_tensor(x)
            y = _ops.convert_to_tensor(y, dtype=x.dtype)
        if x.dtype != y.dtype:
            raise TypeError(f"Input 'y' of '{op_type}' Op has type {y.dtype.name} that does not match type "
                            f"{x.dtype.name} of argument 'x'.")
        attrs = {"T": x.dtype, "adj_x": bool(adj_x), "adj_y": bool(adj_y)}
        return g.create_op(op_type, [x, y], name=name or op_type, attrs=attrs).outputs[0]


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
           adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: Optional[str] = None) -> _ops.Tensor:
    """``tf.linalg.matmul``: the same as ``tf.matmul`` (BatchMatMulV2 beyond rank 2)."""
    from graphrt.ops import math_ops
    return math_ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b, adjoint_a=adjoint_a,
                           adjoint_b=adjoint_b, a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse, name=name)


def tensordot(a: Any, b: Any, axes: Any, name: Optional[str] = None) -> _ops.Tensor:
    """Sum of products over ``axes`` of ``a`` and ``b`` (an int N: last N of a with first N of b; or
    a pair of axis lists)."""
    g = _graph_for(a, b)
    with g.as_default(), g.name_scope(name or "Tensordot") as scope:
        a = _ops.convert_to_tensor(a, name="a")
        b = _ops.convert_to_tensor(b, name="b", dtype=a.dtype)
        if a.dtype != b.dtype:
            raise TypeError(f"tensordot operands must have the same dtype, got {a.dtype.name} and {b.dtype.name}")
        ra, rb = a.shape.rank, b.shape.rank
        if ra is None or rb is None:
            raise ValueError("tensordot needs operands of known rank")
        if isinstance(axes, _ops.Tensor):
            v = _tu.constant_value(axes)
            if v is None:
                raise ValueError("tensordot needs constant axes")
            axes = v.tolist()
        if isinstance(axes, (int, np.integer)):
            n = int(axes)
            if n < 0:
                raise ValueError(f"'axes' must be at least 0, got {n}.")
            if n > ra or n > rb:
                raise ValueError(f"'axes' must not be larger than the number of dimensions of tensor {a if n > ra else b}"
                                 f" (got {n}).")
            a_axes, b_axes = list(range(ra - n, ra)), list(range(n))
        else:
            if not isinstance(axes, (list, tuple)) or len(axes) != 2:
                raise ValueError(f"'axes' must be an integer or have length 2, got {axes!r}.")
            a_axes, b_axes = axes
            a_axes = [int(a_axes)] if isinstance(a_axes, (int, np.integer)) else [int(i) for i in a_axes]
            b_axes = [int(b_axes)] if isinstance(b_axes, (int, np.integer)) else [int(i) for i in b_axes]
            if len(a_axes) != len(b_axes):
                raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}.")
        a_axes = [_canon_axis(i, ra) for i in a_axes]
        b_axes = [_canon_axis(i, rb) for i in b_axes]
        if len(set(a_axes)) != len(a_axes) or len(set(b_axes)) != len(b_axes):
            raise ValueError("tensordot axes must not repeat")
        ad, bd = a.shape.as_list(), b.shape.as_list()
        for i, j in zip(a_axes, b_axes):
            if ad[i] is not None and bd[j] is not None and ad[i] != bd[j]:
                raise ValueError(f"Dimensions must be equal, but are {ad[i]} and {bd[j]} for tensordot of shapes "
                                 f"{a.shape} and {b.shape}")
        free_a = [i for i in range(ra) if i not in a_axes]
        free_b = [i for i in range(rb) if i not in b_axes]
        contract = [ad[i] if ad[i] is not None else bd[j] for i, j in zip(a_axes, b_axes)]
        ta = a if free_a + a_axes == list(range(ra)) else _transpose_op(a, free_a + a_axes, None)
        tb = b if b_axes + free_b == list(range(rb)) else _transpose_op(b, b_axes + free_b, None)
        k = _prod(contract)
        ma = _reshape(ta, [_prod([ad[i] for i in free_a]), k])
        mb = _reshape(tb, [k, _prod([bd[i] for i in free_b])])
        from graphrt.ops import math_ops
        prod = math_ops.matmul(ma, mb)
        out_dims = [ad[i] for i in free_a] + [bd[i] for i in free_b]
        if out_dims.count(None) > 1:
            raise ValueError("tensordot needs at most one unknown free dimension")
        from graphrt.ops.array_ops import reshape
        return reshape(prod, [-1 if d is None else d for d in out_dims], name=scope)


def _canon_axis(i: int, rank: int) -> int:
    if i < -rank or i >= rank:
        raise ValueError(f"axis {i} is out of range for a tensor of rank {rank}")
    return i + rank if i < 0 else i


# ---- einsum --------------------------------------------------------------------------------------

def _parse_einsum(equation: str, ranks: Sequence[Optional[int]]) -> Tuple[List[str], str, str]:
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
        implicit = False
    else:
        lhs, out, implicit = eq, "", True
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise ValueError(f"Expected {len(terms)} inputs for equation {equation!r}, got {len(ranks)}")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _string.ascii_letters if c not in used]
    has_ellipsis = any("..." in t for t in terms)
    ell_rank = 0
    for t, r in zip(terms, ranks):
        if "..." in t:
            if r is None:
                raise ValueError("einsum with '...' needs inputs of known rank")
            ell_rank = max(ell_rank, r - len(t.replace("...", "")))
    ell_labels = "".join(spare[:ell_rank])
    new_terms = []
    for t, r in zip(terms, ranks):
        body = t.replace("...", "")
        if not all(c.isalpha() for c in body) or t.count("...") > 1:
            raise ValueError(f"Invalid einsum subscript {t!r} in {equation!r}")
        if "..." in t:
            n = r - len(body)
            if n < 0:
                raise ValueError(f"Input {t!r} of einsum has rank {r}, fewer than its subscripts")
            t = t.replace("...", ell_labels[ell_rank - n:])
        elif r is not None and r != len(t):
            raise ValueError(f"Input with subscript {t!r} of einsum has rank {r}, expected {len(t)}")
        new_terms.append(t)
    if implicit:
        counts: Dict[str, int] = {}
        for t in new_terms:
            for c in t:
                if c not in ell_labels:
                    counts[c] = counts.get(c, 0) + 1
        out = ell_labels + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        if "..." in out:
            out = out.replace("...", ell_labels)
        elif has_ellipsis and ell_rank > 0:
            raise ValueError(f"Output subscripts of {equation!r} must contain '...' when inputs do")
        if not all(c.isalpha() for c in out) or len(set(out)) != len(out):
            raise ValueError(f"Invalid einsum output subscripts in {equation!r}")
        for c in out:
            if not any(c in t for t in new_terms):
                raise ValueError(f"Output subscript {c!r} of {equation!r} does not appear in the inputs")
    return new_terms, out, ell_labels


def _reduce_sum(x: _ops.Tensor, axes: List[int]) -> _ops.Tensor:
    import graphrt
    if not axes:
        return x
    fn = getattr(graphrt, "reduce_sum", None)
    if fn is None:
        raise ValueError("this einsum form sums over an index of one operand, which needs tf.reduce_sum")
    return fn(x, axis=axes)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> _ops.Tensor:
    """Einstein summation over one or two operands (batch dims, transposes, contractions, sums)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}")
    if len(inputs) not in (1, 2):
        raise ValueError(f"einsum supports one or two operands, got {len(inputs)}")
    g = _graph_for(*inputs)
    with g.as_default(), g.name_scope(name or "einsum") as scope:
        ts = [_ops.convert_to_tensor(t, name=f"input_{i}") for i, t in enumerate(inputs)]
        if len(ts) == 2 and ts[0].dtype != ts[1].dtype:
            raise TypeError(f"einsum operands must have the same dtype, got {ts[0].dtype.name} and {ts[1].dtype.name}")
        terms, out, ell_labels = _parse_einsum(equation, [t.shape.rank for t in ts])
        for t, term in zip(ts, terms):
            if len(set(term)) != len(term):
                raise ValueError(f"einsum subscript {term!r} repeats an index (traces/diagonals are not supported)")
        # Sizes of each label, checking agreement.
        sizes: Dict[str, Optional[int]] = {}
        for t, term in zip(ts, terms):
            dims = t.shape.as_list() if t.shape.rank is not None else [None] * len(term)
            for c, d in zip(term, dims):
                prev = sizes.get(c)
                broadcastable = c in ell_labels and (prev == 1 or d == 1)
                if prev is not None and d is not None and prev != d and not broadcastable:
                    raise ValueError(f"Dimension mismatch for einsum index {c!r}: {prev} vs {d} in {equation!r}")
                if prev is None or prev == 1:
                    sizes[c] = d if d is not None else prev
        if len(ts) == 1:
            x, term = ts[0], terms[0]
            summed = [i for i, c in enumerate(term) if c not in out]
            x = _reduce_sum(x, summed)
            kept = [c for c in term if c in out]
            perm = [kept.index(c) for c in out]
            if perm == list(range(len(perm))):
                from graphrt.ops.array_ops import identity
                return identity(x, name=scope)
            return _transpose_op(x, perm, scope)
        (a, b), (ta_, tb_) = ts, terms
        # Labels summed within one operand only are reduced first.
        only_a = [i for i, c in enumerate(ta_) if c not in out and c not in tb_]
        only_b = [i for i, c in enumerate(tb_) if c not in out and c not in ta_]
        a = _reduce_sum(a, only_a)
        b = _reduce_sum(b, only_b)
        ta_ = "".join(c for i, c in enumerate(ta_) if i not in only_a)
        tb_ = "".join(c for i, c in enumerate(tb_) if i not in only_b)
        batch = [c for c in out if c in ta_ and c in tb_]
        contract = [c for c in ta_ if c in tb_ and c not in out]
        free_a = [c for c in ta_ if c not in tb_]
        free_b = [c for c in tb_ if c not in ta_]

        def dims_of(t: _ops.Tensor, term: str) -> Dict[str, Optional[int]]:
            d = t.shape.as_list() if t.shape.rank is not None else [None] * len(term)
            return dict(zip(term, d))

        da, db = dims_of(a, ta_), dims_of(b, tb_)
        # a -> [batch(a), free_a, contract]; b -> [batch(b), contract, free_b]; batch dims may broadcast.
        pa = [ta_.index(c) for c in batch + free_a + contract]
        pb = [tb_.index(c) for c in batch + contract + free_b]
        xa = a if pa == list(range(len(pa))) else _transpose_op(a, pa, None)
        xb = b if pb == list(range(len(pb))) else _transpose_op(b, pb, None)
        k = _prod([sizes[c] for c in contract]) if contract else 1
        ma = _reshape(xa, [da[c] for c in batch] + [_prod([da[c] for c in free_a]), k])
        mb = _reshape(xb, [db[c] for c in batch] + [k, _prod([db[c] for c in free_b])])
        if batch:
            prod = batch_matmul_v2(ma, mb)
        else:
            from graphrt.ops import math_ops
            prod = math_ops.matmul(ma, mb)
        res_labels = batch + free_a + free_b
        bshape = prod.shape.as_list()[:len(batch)] if prod.shape.rank is not None else [None] * len(batch)
        res_dims = bshape + [da[c] for c in free_a] + [db[c] for c in free_b]
        res = _reshape(prod, res_dims) if len(free_a) != 1 or len(free_b) != 1 else prod
        perm = [res_labels.index(c) for c in out]
        if perm == list(range(len(perm))):
            from graphrt.ops.array_ops import identity
            return identity(res, name=scope)
        return _transpose_op(res, perm, scope)
