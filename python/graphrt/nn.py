"""``tf.nn``."""
from graphrt.ops.nn_ops import *  # noqa: F401,F403
from graphrt.ops.nn_grad_ops import (conv2d_backprop_filter, depthwise_conv2d_native_backprop_filter,  # noqa: F401
                                     depthwise_conv2d_native_backprop_input)
