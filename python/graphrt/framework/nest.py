"""Nested structures (lists, tuples, namedtuples, dicts) for cond/while_loop values."""
from __future__ import annotations

from typing import Any, Iterator, List


def is_sequence(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))


def _children(x: Any) -> List[Any]:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure: Any) -> List[Any]:
    """The leaves of ``structure`` in order (dicts by sorted key)."""
    if not is_sequence(structure):
        return [structure]
    out: List[Any] = []
    for c in _children(structure):
        out.extend(flatten(c))
    return out


def pack_sequence_as(structure: Any, flat: List[Any]) -> Any:
    """Rebuilds ``structure`` with the leaves taken in order from ``flat``."""
    it: Iterator[Any] = iter(flat)
    result = _pack(structure, it)
    leftover = list(it)
    if leftover:
        raise ValueError(f"Structure had fewer leaves than the {len(flat)} values given")
    return result


def _pack(structure: Any, it: Iterator[Any]) -> Any:
    if not is_sequence(structure):
        try:
            return next(it)
        except StopIteration:
            raise ValueError("Structure has more leaves than values given") from None
    if isinstance(structure, dict):
        values = {k: _pack(structure[k], it) for k in sorted(structure)}
        return type(structure)((k, values[k]) for k in structure)
    items = [_pack(c, it) for c in structure]
    if hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*items)
    return type(structure)(items)


def assert_same_structure(a: Any, b: Any) -> None:
    """ValueError unless ``a`` and ``b`` nest the same way (same sequence types and lengths)."""
    if is_sequence(a) != is_sequence(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if not is_sequence(a):
        return
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} vs {b!r}")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two structures don't have the same keys: {sorted(a)} vs {sorted(b)}")
    for x, y in zip(_children(a), _children(b)):
        assert_same_structure(x, y)
