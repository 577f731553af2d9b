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
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/session.h"

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

// Debug hook for the zero-copy tests: the data addresses of the feeds of this thread's last step,
// as the executor saw them.
thread_local std::vector<uintptr_t> t_last_feed_addresses;

class PySession {
 public:
  PySession(int inter, int intra) : session_(std::make_shared<DirectSession>(SessionOptions{inter, intra})) {}

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

  py::list RunPlan(const std::shared_ptr<const Plan>& plan, const py::list& feed_values) {
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
    {
      py::gil_scoped_release release;
      s = session_->Run(*plan, feeds, &fetches);
    }
    if (!s.ok()) ThrowStatus(s);
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

  void Close() {
    py::gil_scoped_release release;
    session_->Close();
  }

  py::bytes GraphDef() const { return py::bytes(session_->SerializedGraphDef()); }
  int NumNodes() const { return session_->num_nodes(); }
  size_t NumPlans() const { return session_->num_cached_plans(); }
  int InterOp() const { return session_->inter_op_threads(); }
  int IntraOp() const { return session_->intra_op_threads(); }

 private:
  std::shared_ptr<DirectSession> session_;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "graphrt C++ runtime";

  py::class_<Plan, std::shared_ptr<Plan>>(m, "Plan")
      .def_property_readonly("feed_names", [](const Plan& p) { return p.feed_names; })
      .def_property_readonly("fetch_names", [](const Plan& p) { return p.fetch_names; })
      .def_property_readonly("target_names", [](const Plan& p) { return p.target_names; })
      .def_property_readonly("num_nodes", [](const Plan& p) { return p.nodes.size(); });

  py::class_<PySession>(m, "Session")
      .def(py::init<int, int>(), py::arg("inter_op_threads") = 0, py::arg("intra_op_threads") = 0)
      .def("extend", &PySession::Extend)
      .def("make_plan", [](PySession& s, const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                           const std::vector<std::string>& targets) {
             return std::const_pointer_cast<Plan>(s.MakePlan(feeds, fetches, targets));
           })
      .def("run_plan", [](PySession& s, const std::shared_ptr<Plan>& plan, const py::list& feeds) {
             return s.RunPlan(plan, feeds);
           })
      .def("close", &PySession::Close)
      .def("graph_def", &PySession::GraphDef)
      .def_property_readonly("num_nodes", &PySession::NumNodes)
      .def_property_readonly("num_cached_plans", &PySession::NumPlans)
      .def_property_readonly("inter_op_threads", &PySession::InterOp)
      .def_property_readonly("intra_op_threads", &PySession::IntraOp);

  // Decodes with the C++ decoder and re-encodes with the C++ encoder (codec tests, importer checks).
  m.def("reencode_graph_def", [](py::bytes data) {
    std::string_view view = data;
    GraphDef def;
    Status s = DecodeGraphDef(view, &def);
    if (!s.ok()) ThrowStatus(s);
    return py::bytes(EncodeGraphDef(def));
  });
  m.def("_debug_blas_threads", [] { return scipy_openblas_get_num_threads(); });
  m.def("_debug_last_feed_addresses", [] { return t_last_feed_addresses; });
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
