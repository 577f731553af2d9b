"""graphrt: a TensorFlow-1-style dataflow graph runtime.

``import graphrt as tf`` (or ``graphrt.compat.v1``) offers the TF1 graph-mode API: build a graph in
Python, run it with ``tf.Session().run(fetches, feed_dict)`` in the C++ runtime.
"""
from __future__ import annotations

import scipy_openblas32 as _scipy_openblas32  # noqa: F401 - loads OpenBLAS before the extension

from graphrt import _core  # noqa: F401
from graphrt.framework import errors
from graphrt.framework import dtypes
from graphrt.framework.dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half,  # noqa: A004
                                      int8, int16, int32, int64, string, uint8, uint16)
from graphrt.framework.tensor_shape import Dimension, TensorShape, dimension_value
from graphrt.framework.device_spec import DeviceSpec
from graphrt.framework.graph_def import AttrValue, GraphDef, NodeDef, TensorProto, TensorShapeProto
from graphrt.framework.ops import (Graph, GraphKeys, Operation, Tensor, add_to_collection, add_to_collections,
                                   colocate_with, control_dependencies, convert_to_tensor, device, get_collection,
                                   get_collection_ref, get_default_graph, get_name_scope, name_scope,
                                   register_tensor_conversion_function, reset_default_graph)
from graphrt.framework.constant_op import constant
from graphrt.framework.importer import import_graph_def
from graphrt.framework.tensor_util import MakeNdarray as make_ndarray
from graphrt.framework.tensor_util import make_tensor_proto
from graphrt.gradients import (AggregationMethod, IndexedSlices, NoGradient, NotDifferentiable,  # noqa: F401
                              RegisterGradient, gradients, hessians)

# Each op module lists its tf.* names in __all__.
from graphrt.ops.array_ops import *  # noqa: F401,F403
from graphrt.ops.indexing_ops import *  # noqa: F401,F403
from graphrt.ops.math_ops import *  # noqa: F401,F403
from graphrt.ops.linalg_ops import *  # noqa: F401,F403
from graphrt.ops.random_ops import *  # noqa: F401,F403
from graphrt.ops.control_flow_ops import *  # noqa: F401,F403
from graphrt.ops.debug_ops import *  # noqa: F401,F403
from graphrt.ops.string_ops import *  # noqa: F401,F403
from graphrt.ops import resource_variable_ops as _resource_variable_ops  # noqa: F401 - registers ops
from graphrt.ops.variables import *  # noqa: F401,F403

from graphrt.client.config import (ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata,
                                   RunOptions)
from graphrt.client.session import InteractiveSession, Session, get_default_session
from graphrt import nn
from graphrt import debugging
from graphrt import strings
from graphrt import math
from graphrt import linalg
from graphrt import random
from graphrt import train
from graphrt import compat

sub = subtract  # noqa: F405
mul = multiply  # noqa: F405
neg = negative  # noqa: F405

__version__ = "0.1.0"

# ---- variable scopes, initializers, losses, layers ([TRAIN]) ----
from graphrt.ops.variable_scope import *  # noqa: F401,F403,E402
from graphrt.ops.init_ops import *  # noqa: F401,F403,E402
from graphrt import losses  # noqa: E402
from graphrt import layers  # noqa: E402
from graphrt import initializers  # noqa: E402
from graphrt import contrib  # noqa: E402
from graphrt.ops.data_flow_ops import *  # noqa: F401,F403,E402
from graphrt.ops.io_ops import *  # noqa: F401,F403,E402
from graphrt.ops.parsing_ops import *  # noqa: F401,F403,E402

# ---- session handles, sparse tensors ([SESS]) ----
from graphrt.ops.session_ops import *  # noqa: F401,F403,E402
from graphrt.framework.sparse_tensor import SparseTensor, SparseTensorValue  # noqa: E402
from graphrt.ops.sparse_ops import *  # noqa: F401,F403,E402
from graphrt.gradients import IndexedSlicesValue  # noqa: E402
from graphrt.ops.nn_grad_ops import digamma  # noqa: E402
