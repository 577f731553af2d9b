// pybind11 binding: the only place that knows Python. numpy <-> Tensor without copies (feeds are
// borrowed, fetches own their Buffer through a capsule), Status -> graphrt.errors exceptions, and the
// GIL released for the whole C++ part of a step.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <cblas.h>

#include "graphrt/core/allocator.h"
#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/gemm_b_cache.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/kernels/sgemm_avx512.h"
#include "graphrt/runtime/session.h"
#include "graphrt/runtime/session_tensor_store.h"

namespace py = pybind11;
using namespace graphrt;

namespace {

// Raises the graphrt.errors class for the status code (built by graphrt.framework.errors).
[[noreturn]] void ThrowStatus(const Status& s) {
  py::object make = py::module_::import("graphrt.framework.errors").attr("_from_status");
  py::object exc = make(static_cast<int>(s.code()), s.message(), s.node());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw py::error_already_set();
}

template <typename T>
T ValueOrThrow(StatusOr<T> v) {
  if (!v.ok()) ThrowStatus(v.status());
  return std::move(v).value();
}

DataType DtypeFromNumpy(const py::dtype& dt) {
  const char kind = dt.kind();
  const ssize_t size = dt.itemsize();
  switch (kind) {
    case 'f':
      if (size == 4) return DT_FLOAT;
      if (size == 8) return DT_DOUBLE;
      if (size == 2) return DT_HALF;
      break;
    case 'i':
      if (size == 4) return DT_INT32;
      if (size == 8) return DT_INT64;
      if (size == 2) return DT_INT16;
      if (size == 1) return DT_INT8;
      break;
    case 'u':
      if (size == 1) return DT_UINT8;
      if (size == 2) return DT_UINT16;
      break;
    case 'b':
      return DT_BOOL;
    case 'S':
    case 'O':
    case 'U':
      return DT_STRING;
  }
  return DT_INVALID;
}

py::dtype NumpyFromDtype(DataType dt) {
  switch (dt) {
    case DT_FLOAT: return py::dtype("float32");
    case DT_DOUBLE: return py::dtype("float64");
    case DT_INT32: return py::dtype("int32");
    case DT_INT64: return py::dtype("int64");
    case DT_INT16: return py::dtype("int16");
    case DT_INT8: return py::dtype("int8");
    case DT_UINT8: return py::dtype("uint8");
    case DT_UINT16: return py::dtype("uint16");
    case DT_BOOL: return py::dtype("bool");
    case DT_HALF: return py::dtype("float16");
    default: return py::dtype("object");
  }
}

// A feed: borrowed when C-contiguous and aligned (the Buffer holds a reference to the array and
// drops it, with the GIL, when the step is done with it); strings are copied into std::string.
Tensor TensorFromArray(const py::array& arr, const std::string& name) {
  DataType dt = DtypeFromNumpy(arr.dtype());
  if (dt == DT_INVALID) {
    throw py::type_error("Feed for '" + name + "' has unsupported numpy dtype " + std::string(py::str(arr.dtype())));
  }
  std::vector<int64_t> dims(arr.shape(), arr.shape() + arr.ndim());
  Shape shape(dims);
  if (dt == DT_STRING) {
    Tensor t = ValueOrThrow(Tensor::Allocate(DT_STRING, shape));
    py::list flat = arr.attr("ravel")().attr("tolist")();
    std::string* out = t.data<std::string>();
    for (size_t i = 0; i < flat.size(); ++i) {
      py::object item = flat[i];
      if (py::isinstance<py::bytes>(item)) {
        out[i] = item.cast<std::string>();
      } else if (py::isinstance<py::str>(item)) {
        out[i] = item.cast<std::string>();  // UTF-8
      } else {
        throw py::type_error("Feed for '" + name + "' must hold bytes or str elements");
      }
    }
    return t;
  }
  const bool contiguous = (arr.flags() & py::array::c_style) != 0;
  const bool aligned = (arr.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_) != 0;
  if (contiguous && aligned && (arr.dtype().byteorder() != '>')) {
    PyObject* owner = arr.ptr();
    Py_INCREF(owner);
    auto buffer = Buffer::Borrow(const_cast<void*>(arr.data()), static_cast<size_t>(arr.nbytes()), [owner] {
      PyGILState_STATE g = PyGILState_Ensure();
      Py_DECREF(owner);
      PyGILState_Release(g);
    });
    return Tensor(dt, shape, std::move(buffer));
  }
  py::array c = py::array::ensure(arr, py::array::c_style | py::array::forcecast);
  Tensor t = ValueOrThrow(Tensor::Allocate(dt, shape));
  if (t.bytes()) std::memcpy(t.raw(), c.data(), t.bytes());
  return t;
}

// A fetch: the array owns the Tensor's Buffer (no copy), except that a buffer borrowed from a feed,
// or one the runtime still holds (`must_copy`), is copied so a result never aliases anything else. 0-d results become numpy scalars, as in TF.
py::object ArrayFromTensor(const Tensor& in, bool must_copy) {
  Tensor t = in;
  if (t.borrowed() || must_copy) t = ValueOrThrow(t.Copy());
  const auto& dims = t.shape().dims();
  std::vector<ssize_t> shape(dims.begin(), dims.end());
  py::array arr;
  if (IsStringLike(t.dtype())) {
    arr = py::array(py::dtype("object"), shape);
    PyObject** out = static_cast<PyObject**>(arr.mutable_data());
    const std::string* src = t.data<std::string>();
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      PyObject* b = PyBytes_FromStringAndSize(src[i].data(), static_cast<Py_ssize_t>(src[i].size()));
      if (b == nullptr) throw py::error_already_set();
      Py_XDECREF(out[i]);
      out[i] = b;
    }
  } else {
    auto* holder = new std::shared_ptr<Buffer>(t.buffer());
    py::capsule owner(holder, [](void* p) { delete static_cast<std::shared_ptr<Buffer>*>(p); });
    arr = py::array(NumpyFromDtype(t.dtype()), shape, {}, t.raw(), owner);
  }
  if (dims.empty()) return arr[py::tuple()];
  return std::move(arr);
}

// Lets Ctrl-C stop a long step: runs the interpreter's signal handlers (they only run on the main
// thread); a pending KeyboardInterrupt cancels the step and is re-raised once the step returns.
Status PollInterrupt() {
  PyGILState_STATE g = PyGILState_Ensure();
  const int r = PyErr_CheckSignals();
  PyGILState_Release(g);
  return r == 0 ? Status::OK() : Status(Code::kCancelled, "Step interrupted (KeyboardInterrupt)");
}

// Debug hook for the zero-copy tests: the data addresses of the feeds of this thread's last step,
// as the executor saw them.
thread_local std::vector<uintptr_t> t_last_feed_addresses;
// Debug hook for the thread-pool tests: the inter-op pool of this thread's last step (0 = inline).
thread_local uintptr_t t_last_inter_op_pool = 0;

class PySession {
 public:
  explicit PySession(const SessionOptions& options) : session_(std::make_shared<DirectSession>(options)) {
    if (!session_->init_status().ok()) ThrowStatus(session_->init_status());
  }

  void Extend(py::bytes data) {
    std::string_view view = data;  // bytes stay alive in the caller during the call
    Status s;
    {
      py::gil_scoped_release release;
      s = session_->Extend(view);
    }
    if (!s.ok()) ThrowStatus(s);
  }

  std::shared_ptr<const Plan> MakePlan(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                       const std::vector<std::string>& targets) {
    StatusOr<std::shared_ptr<const Plan>> plan = Status();
    {
      py::gil_scoped_release release;
      plan = session_->GetPlan(feeds, fetches, targets);
    }
    return ValueOrThrow(std::move(plan));
  }

  // Runs a step; `trace` collects per-node stats into *stats (as tuples for step_stats).
  py::list RunPlan(const std::shared_ptr<const Plan>& plan, const py::list& feed_values, int inter_op_pool = 0,
                   int64_t timeout_ms = 0, py::list* stats = nullptr) {
    if (static_cast<size_t>(feed_values.size()) != plan->feed_names.size()) {
      throw py::value_error("expected " + std::to_string(plan->feed_names.size()) + " feed values");
    }
    std::vector<Tensor> feeds;
    feeds.reserve(feed_values.size());
    for (size_t i = 0; i < feed_values.size(); ++i) {
      py::handle item = feed_values[i];
      if (!py::isinstance<py::array>(item)) {
        throw py::type_error("feed value for '" + plan->feed_names[i] + "' must be a numpy array");
      }
      feeds.push_back(TensorFromArray(py::reinterpret_borrow<py::array>(item), plan->feed_names[i]));
    }
    t_last_feed_addresses.clear();
    for (const Tensor& t : feeds) t_last_feed_addresses.push_back(reinterpret_cast<uintptr_t>(t.raw()));
    std::vector<Tensor> fetches;
    Status s;
    RunStepOptions options;
    options.inter_op_pool = inter_op_pool;
    options.timeout_ms = timeout_ms;
    options.poll = PollInterrupt;
    StepStatsCollector collector;
    if (stats != nullptr) options.stats = &collector;
    {
      py::gil_scoped_release release;
      s = session_->Run(*plan, feeds, &fetches, options);
    }
    t_last_inter_op_pool = session_->inter_op_pool_id(inter_op_pool);
    if (PyErr_Occurred()) throw py::error_already_set();  // KeyboardInterrupt raised by the poll
    if (!s.ok()) ThrowStatus(s);
    if (stats != nullptr) {
      for (const NodeExecStats& n : collector.Take()) {
        py::list outputs;
        for (size_t i = 0; i < n.outputs.size(); ++i) {
          outputs.append(py::make_tuple(static_cast<int>(n.outputs[i].first), n.outputs[i].second, n.output_bytes[i]));
        }
        stats->append(py::make_tuple(n.node_name, n.op, n.all_start_micros, n.op_start_rel_micros, n.op_end_rel_micros,
                                     n.all_end_rel_micros, n.thread_id, outputs));
      }
    }
    py::list out(fetches.size());
    for (size_t i = 0; i < fetches.size(); ++i) {
      // Hand the buffer to numpy only if these fetches are its sole owners (a Const kernel's value, or
      // a buffer another fetch already took, is copied) so no fetched array aliases runtime state.
      long holders = 0;
      for (size_t j = i; j < fetches.size(); ++j) holders += fetches[j].buffer() == fetches[i].buffer();
      const bool shared = fetches[i].buffer() && fetches[i].buffer().use_count() > holders;
      out[i] = ArrayFromTensor(fetches[i], shared);
      fetches[i] = Tensor();
    }
    return out;
  }

  // Session.partial_run_setup: the handle of a new partial run.
  std::string PartialRunSetup(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                              const std::vector<std::string>& targets) {
    StatusOr<std::string> handle = Status();
    {
      py::gil_scoped_release release;
      handle = session_->PartialRunSetup(feeds, fetches, targets, PollInterrupt);
    }
    if (PyErr_Occurred()) throw py::error_already_set();
    return ValueOrThrow(std::move(handle));
  }

  // Session.partial_run: feeds (names and numpy arrays), then the fetched values in `fetch_names` order.
  py::list PartialRun(const std::string& handle, const std::vector<std::string>& feed_names, const py::list& feed_values,
                      const std::vector<std::string>& fetch_names) {
    if (static_cast<size_t>(feed_values.size()) != feed_names.size()) {
      throw py::value_error("expected " + std::to_string(feed_names.size()) + " feed values");
    }
    std::vector<Tensor> feeds;
    feeds.reserve(feed_names.size());
    for (size_t i = 0; i < feed_names.size(); ++i) {
      py::handle item = feed_values[i];
      if (!py::isinstance<py::array>(item)) {
        throw py::type_error("feed value for '" + feed_names[i] + "' must be a numpy array");
      }
      // A partial run may read a feed in a later call: it gets its own copy, not the caller's array.
      Tensor t = TensorFromArray(py::reinterpret_borrow<py::array>(item), feed_names[i]);
      if (t.borrowed()) t = ValueOrThrow(t.Copy());
      feeds.push_back(std::move(t));
    }
    std::vector<Tensor> fetches;
    Status s;
    {
      py::gil_scoped_release release;
      s = session_->PartialRun(handle, feed_names, feeds, fetch_names, &fetches);
      feeds.clear();
    }
    if (PyErr_Occurred()) throw py::error_already_set();  // KeyboardInterrupt raised by the poll
    if (!s.ok()) ThrowStatus(s);
    return FetchList(&fetches);
  }

  size_t NumPartialRuns() const { return session_->num_partial_runs(); }

  // TensorHandle.eval() / delete(): the stored session tensor, read or removed without a step.
  py::object GetSessionTensor(const std::string& handle) {
    StatusOr<Tensor> t = LookupSessionTensor(session_->resource_mgr(), handle);
    if (!t.ok()) ThrowStatus(t.status());
    std::vector<Tensor> one{std::move(t).value()};
    return FetchList(&one)[0];
  }
  void DeleteSessionTensorByHandle(const std::string& handle) {
    Status s = DeleteSessionTensor(session_->resource_mgr(), handle);
    if (!s.ok()) ThrowStatus(s);
  }

  void Close() {
    py::gil_scoped_release release;
    session_->Close();
  }

  py::bytes GraphDef() const { return py::bytes(session_->SerializedGraphDef()); }
  int NumNodes() const { return session_->num_nodes(); }
  size_t NumPlans() const { return session_->num_cached_plans(); }
  int InterOp() const { return session_->inter_op_threads(); }
  int IntraOp() const { return session_->intra_op_threads(); }
  py::list InterOpPools() const {
    py::list out;
    for (const InterOpPoolInfo& p : session_->inter_op_pools()) {
      py::dict d;
      d["num_threads"] = p.num_threads;
      d["global_name"] = p.global_name;
      d["owned"] = p.owned;
      d["id"] = p.id;
      out.append(d);
    }
    return out;
  }
  py::list Devices() const {
    py::list out;
    for (const Device& d : session_->devices()) {
      out.append(py::make_tuple(d.name, d.device_type, d.memory_limit_bytes, d.incarnation));
    }
    return out;
  }
  py::dict Placement() const {
    py::dict out;
    for (const auto& [node, device] : session_->Placement()) out[py::str(node)] = device;
    return out;
  }
  py::dict OptimizerSwitches() const {
    py::dict out;
    for (const auto& [name, on] : session_->options().optimizer_switches) out[py::str(name)] = on;
    return out;
  }
  int64_t OperationTimeout() const { return session_->options().operation_timeout_in_ms; }

 private:
  // Fetched tensors as numpy values; a buffer anything else still holds (a stored session tensor, a
  // Const kernel's value, another fetch) is copied so no result aliases runtime state.
  static py::list FetchList(std::vector<Tensor>* fetches) {
    py::list out(fetches->size());
    for (size_t i = 0; i < fetches->size(); ++i) {
      std::vector<Tensor>& f = *fetches;
      long holders = 0;
      for (size_t j = i; j < f.size(); ++j) holders += f[j].buffer() == f[i].buffer();
      const bool shared = f[i].buffer() && f[i].buffer().use_count() > holders;
      out[i] = ArrayFromTensor(f[i], shared);
      f[i] = Tensor();
    }
    return out;
  }

  std::shared_ptr<DirectSession> session_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "graphrt C++ runtime";

  py::class_<Plan, std::shared_ptr<Plan>>(m, "Plan")
      .def_property_readonly("feed_names", [](const Plan& p) { return p.feed_names; })
      .def_property_readonly("fetch_names", [](const Plan& p) { return p.fetch_names; })
      .def_property_readonly("target_names", [](const Plan& p) { return p.target_names; })
      .def_property_readonly("num_nodes", [](const Plan& p) { return p.nodes.size(); })
      .def_property_readonly("node_names", [](const Plan& p) {
        std::vector<std::string> names;
        for (const PlanNode& n : p.nodes) names.push_back(n.kernel->name());
        return names;
      })
      .def_property_readonly("node_types", [](const Plan& p) {
        std::vector<std::string> types;
        for (const PlanNode& n : p.nodes) types.push_back(n.kernel->type());
        return types;
      })
      // What the graph passes did (see graph/passes/opt_graph.h PassStats).
      .def_property_readonly("stats", [](const Plan& p) {
        const PassStats& s = p.stats;
        py::dict d;
        d["pruned_nodes"] = s.pruned_nodes;
        d["constants_folded"] = s.constants_folded;
        d["constants_created"] = s.constants_created;
        d["cse_merged"] = s.cse_merged;
        d["arithmetic_simplified"] = s.arithmetic_simplified;
        d["elementwise_groups"] = s.elementwise_groups;
        d["elementwise_ops_fused"] = s.elementwise_ops_fused;
        d["matmul_fused"] = s.matmul_fused;
        d["conv_fused"] = s.conv_fused;
        d["dead_removed"] = s.dead_removed;
        d["dependencies_removed"] = s.dependencies_removed;
        d["inplace_candidates"] = s.inplace_candidates;
        return d;
      });

  py::class_<PySession>(m, "Session")
      .def(py::init([](int inter, int intra, bool use_per_session_threads,
                       const std::vector<std::pair<int, std::string>>& inter_op_pools, int cpu_device_count,
                       bool allow_soft_placement, bool log_device_placement, int64_t operation_timeout_in_ms,
                       const std::map<std::string, bool>& optimizer_switches) {
             SessionOptions o;
             o.inter_op_threads = inter;
             o.intra_op_threads = intra;
             o.use_per_session_threads = use_per_session_threads;
             for (const auto& [n, name] : inter_op_pools) o.inter_op_pools.push_back(InterOpPoolOptions{n, name});
             o.cpu_device_count = cpu_device_count;
             o.allow_soft_placement = allow_soft_placement;
             o.log_device_placement = log_device_placement;
             o.operation_timeout_in_ms = operation_timeout_in_ms;
             o.optimizer_switches = optimizer_switches;
             return std::make_unique<PySession>(o);
           }),
           py::arg("inter_op_threads") = 0, py::arg("intra_op_threads") = 0,
           py::arg("use_per_session_threads") = false,
           py::arg("inter_op_pools") = std::vector<std::pair<int, std::string>>(), py::arg("cpu_device_count") = 1,
           py::arg("allow_soft_placement") = false, py::arg("log_device_placement") = false,
           py::arg("operation_timeout_in_ms") = 0, py::arg("optimizer_switches") = std::map<std::string, bool>())
      .def("extend", &PySession::Extend)
      .def("make_plan", [](PySession& s, const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                           const std::vector<std::string>& targets) {
             return std::const_pointer_cast<Plan>(s.MakePlan(feeds, fetches, targets));
           })
      .def("run_plan", [](PySession& s, const std::shared_ptr<Plan>& plan, const py::list& feeds) {
             return s.RunPlan(plan, feeds);
           })
      // RunOptions.inter_op_thread_pool picks the pool (-1: the caller's thread only).
      .def("run_plan_in_pool", [](PySession& s, const std::shared_ptr<Plan>& plan, const py::list& feeds,
                                  int inter_op_pool) { return s.RunPlan(plan, feeds, inter_op_pool); })
      // RunOptions: pool, timeout_in_ms and tracing; returns (fetches, per-node stats or None).
      .def("run_plan_with_options", [](PySession& s, const std::shared_ptr<Plan>& plan, const py::list& feeds,
                                       int inter_op_pool, int64_t timeout_ms, bool trace) {
             py::list stats;
             py::list out = s.RunPlan(plan, feeds, inter_op_pool, timeout_ms, trace ? &stats : nullptr);
             return py::make_tuple(out, trace ? py::object(stats) : py::object(py::none()));
           })
      .def("partial_run_setup", &PySession::PartialRunSetup)
      .def("partial_run", &PySession::PartialRun)
      .def_property_readonly("num_partial_runs", &PySession::NumPartialRuns)
      .def("get_session_tensor", &PySession::GetSessionTensor)
      .def("delete_session_tensor", &PySession::DeleteSessionTensorByHandle)
      .def("close", &PySession::Close)
      .def("graph_def", &PySession::GraphDef)
      .def_property_readonly("num_nodes", &PySession::NumNodes)
      .def_property_readonly("num_cached_plans", &PySession::NumPlans)
      .def_property_readonly("inter_op_threads", &PySession::InterOp)
      .def_property_readonly("intra_op_threads", &PySession::IntraOp)
      .def_property_readonly("inter_op_pools", &PySession::InterOpPools)
      .def_property_readonly("optimizer_switches", &PySession::OptimizerSwitches)
      .def_property_readonly("operation_timeout_in_ms", &PySession::OperationTimeout)
      .def("devices", &PySession::Devices)
      .def("placement", &PySession::Placement);

  // Decodes with the C++ decoder and re-encodes with the C++ encoder (codec tests, importer checks).
  m.def("reencode_graph_def", [](py::bytes data) {
    std::string_view view = data;
    GraphDef def;
    Status s = DecodeGraphDef(view, &def);
    if (!s.ok()) ThrowStatus(s);
    return py::bytes(EncodeGraphDef(def));
  });
  m.def("_debug_step_buffer_allocations", [] { return StepBufferAllocations(); });
  m.def("_debug_variable_update_copies", [] { return VariableUpdateCopies(); });
  m.def("_debug_gemm_b_packings", [] { return GemmBPackings(); });
  m.def("_debug_have_avx512", [] { return HaveAvx512(); });
  m.def("_debug_blas_threads", [] { return scipy_openblas_get_num_threads(); });
  m.def("_debug_blas_corename", [] { return std::string(scipy_openblas_get_corename()); });
  m.def("_debug_last_feed_addresses", [] { return t_last_feed_addresses; });
  m.def("_debug_last_inter_op_pool", [] { return t_last_inter_op_pool; });
  m.def("registered_ops", [] { return OpRegistry::Global().OpNames(); });
  m.def("op_kernel_types", [] {
    py::dict out;
    const OpRegistry& r = OpRegistry::Global();
    for (const std::string& op : r.OpNames()) {
      bool any = false;
      py::list names;
      for (DataType dt : r.KernelTypes(op, &any)) names.append(DataTypeName(dt));
      if (any) names.append("any");
      out[py::str(op)] = names;
    }
    return out;
  });
  m.def("allocator_stats", [] {
    AllocatorStats s = GetAllocatorStats();
    py::dict d;
    d["live_allocations"] = s.live_allocations;
    d["live_bytes"] = s.live_bytes;
    d["total_allocations"] = s.total_allocations;
    d["total_bytes"] = s.total_bytes;
    return d;
  });
}
