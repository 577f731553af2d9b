"""random_ops (filled in by the op-library work)."""
from __future__ import annotations

__all__: list = []  # the tf.* names this module provides
