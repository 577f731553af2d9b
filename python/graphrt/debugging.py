"""``tf.debugging``."""
from graphrt.ops.debug_ops import (Assert, assert_equal, assert_greater, assert_greater_equal, assert_less,  # noqa: F401
                                   assert_less_equal, assert_negative, assert_non_negative, assert_non_positive,
                                   assert_none_equal, assert_positive, assert_rank, assert_type, check_numerics)
