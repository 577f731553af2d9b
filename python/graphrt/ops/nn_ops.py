"""``tf.nn`` ops."""
from __future__ import annotations

from graphrt.ops.math_ops import relu, sigmoid, tanh

__all__ = ["relu", "sigmoid", "tanh"]  # the tf.nn names this module provides
