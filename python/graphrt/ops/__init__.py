"""Op wrappers (array_ops, math_ops, nn_ops)."""
