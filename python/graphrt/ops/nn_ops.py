"""tf.nn functions available so far."""
from __future__ import annotations

from graphrt.ops.math_ops import relu, sigmoid, tanh  # noqa: F401 - tf.nn namespace
