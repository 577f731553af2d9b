"""``tf.train``."""
from graphrt.framework.graph_io import write_graph  # noqa: F401
from graphrt.train.training_util import (assert_global_step, create_global_step, get_global_step,  # noqa: F401
                                         get_or_create_global_step, global_step)
from graphrt.train.learning_rate_decay import (cosine_decay, exponential_decay, inverse_time_decay,  # noqa: F401
                                               natural_exp_decay, piecewise_constant, polynomial_decay)
from graphrt.train.saver import (CheckpointState, NewCheckpointReader, Saver, checkpoint_exists,  # noqa: F401
                                 get_checkpoint_mtimes, get_checkpoint_state, latest_checkpoint, list_variables,
                                 load_checkpoint, load_variable, remove_checkpoint, update_checkpoint_state)
from graphrt.train.meta_graph import MetaGraphDef, export_meta_graph, import_meta_graph  # noqa: F401
from graphrt.train import training_ops  # noqa: F401  (registers the ResourceApply* shape functions)
from graphrt.train.optimizer import Optimizer  # noqa: F401
from graphrt.train.gradient_descent import GradientDescentOptimizer  # noqa: F401
from graphrt.train.momentum import MomentumOptimizer  # noqa: F401
from graphrt.train.adam import AdamOptimizer  # noqa: F401
from graphrt.train.adagrad import AdagradOptimizer  # noqa: F401
from graphrt.train.rmsprop import RMSPropOptimizer  # noqa: F401
from graphrt.train.adadelta import AdadeltaOptimizer  # noqa: F401
from graphrt.train.coordinator import Coordinator, LooperThread  # noqa: F401
from graphrt.train.queue_runner import QueueRunner, add_queue_runner, start_queue_runners  # noqa: F401
from graphrt.train.input import (batch, batch_join, input_producer, limit_epochs, maybe_batch,  # noqa: F401
                                 range_input_producer, shuffle_batch, shuffle_batch_join, slice_input_producer,
                                 string_input_producer)
