"""``tf.math``: the math ops under their tf.math names."""
from graphrt.ops.math_ops import *  # noqa: F401,F403
from graphrt.ops.math_ops import __all__ as _math_all
from graphrt.ops.math_ops import div_no_nan as divide_no_nan  # noqa: F401
from graphrt.ops.math_ops import softplus, softsign  # noqa: F401
from graphrt.ops.nn_grad_ops import digamma  # noqa: F401

__all__ = list(_math_all) + ["divide_no_nan", "softplus", "softsign", "digamma"]
