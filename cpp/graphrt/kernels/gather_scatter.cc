// Indexing kernels: Gather, GatherV2 (axis, batch_dims), GatherNd, ScatterNd, OneHot, Where (coordinates),
// DynamicStitch, DynamicPartition, InvertPermutation. Data moves by element size (strings by
// assignment), so every dtype is served; every index is checked before anything is read or written.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

// All elements of an int32/int64 tensor of any rank, as int64.
StatusOr<std::vector<int64_t>> FlatIndices(const Tensor& t, const char* what) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DT_INT32) {
    const int32_t* p = t.data<int32_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else if (t.dtype() == DT_INT64) {
    const int64_t* p = t.data<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = p[i];
  } else {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " + DataTypeName(t.dtype()));
  }
  return v;
}

// Copies `n` consecutive elements src[si..] -> dst[di..] of one dtype (strings by assignment).
inline void CopyElems(const Tensor& src, int64_t si, const Tensor& dst, int64_t di, int64_t n) {
  if (n <= 0) return;
  if (src.dtype() == DT_STRING) {
    const std::string* s = src.data<std::string>() + si;
    std::string* d = dst.data<std::string>() + di;
    for (int64_t i = 0; i < n; ++i) d[i] = s[i];
    return;
  }
  const size_t es = DataTypeSize(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + di * es, static_cast<const char*>(src.raw()) + si * es, n * es);
}

// Sets `n` elements of dst from di on to zero (empty strings for DT_STRING).
void ZeroElems(const Tensor& dst, int64_t di, int64_t n) {
  if (n <= 0) return;
  if (dst.dtype() == DT_STRING) {
    std::string* d = dst.data<std::string>() + di;
    for (int64_t i = 0; i < n; ++i) d[i].clear();
    return;
  }
  const size_t es = DataTypeSize(dst.dtype());
  std::memset(static_cast<char*>(dst.raw()) + di * es, 0, n * es);
}

int64_t Prod(const std::vector<int64_t>& d, int b, int e) {
  int64_t p = 1;
  for (int i = b; i < e; ++i) p *= d[i];
  return p;
}

std::string DimsString(const std::vector<int64_t>& d, int b, int e) {
  std::string s = "[";
  for (int i = b; i < e; ++i) s += (i > b ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

// Position of flat index `i` in a shape, written TF's way: "[1,2]".
std::string SliceDebugString(const std::vector<int64_t>& dims, int64_t i) {
  if (dims.empty()) return "[]";
  std::vector<int64_t> pos(dims.size());
  for (int d = static_cast<int>(dims.size()) - 1; d >= 0; --d) {
    int64_t n = std::max<int64_t>(dims[d], 1);
    pos[d] = i % n;
    i /= n;
  }
  return DimsString(pos, 0, static_cast<int>(pos.size()));
}

int CostFor(int64_t inner) { return static_cast<int>(std::clamp<int64_t>(inner, 1, 16384)); }

// ---- Gather / GatherV2 ----
// params viewed as [batch, outer, limit, inner], indices as [batch, m]; out is [batch, outer, m, inner].
Status GatherCore(OpKernelContext* ctx, const Tensor& params, const Tensor& indices, int axis, int batch_dims) {
  const std::vector<int64_t>& pd = params.shape().dims();
  const std::vector<int64_t>& id = indices.shape().dims();
  const int prank = params.shape().rank();
  ASSIGN_OR_RETURN(std::vector<int64_t> idx, FlatIndices(indices, "indices"));
  const int64_t limit = pd[axis];
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] < 0 || idx[i] >= limit) {
      return InvalidArgument("indices[" + std::to_string(i) + "] = " + std::to_string(idx[i]) + " is not in [0, " +
                             std::to_string(limit) + ")");
    }
  }
  std::vector<int64_t> out_dims(pd.begin(), pd.begin() + axis);
  out_dims.insert(out_dims.end(), id.begin() + batch_dims, id.end());
  out_dims.insert(out_dims.end(), pd.begin() + axis + 1, pd.end());
  ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(out_dims));
  ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, params.dtype(), out_shape));
  if (out.num_elements() == 0) return Status::OK();
  const int64_t batch = Prod(pd, 0, batch_dims);
  const int64_t outer = Prod(pd, batch_dims, axis);
  const int64_t inner = Prod(pd, axis + 1, prank);
  const int64_t m = Prod(id, batch_dims, static_cast<int>(id.size()));
  const int64_t rows = batch * outer * m;
  ForRange(ctx->intra_op(), rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t j = r % m;
      const int64_t bo = r / m;  // b * outer + o
      const int64_t b = bo / outer;
      const int64_t src_row = bo * limit + idx[b * m + j];
      CopyElems(params, src_row * inner, out, r * inner, inner);
    }
  }, CostFor(inner));
  return Status::OK();
}

class GatherKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    v2_ = def.op == "GatherV2";
    auto b = GetIntAttr(def, "batch_dims");
    batch_dims_ = b.ok() ? b.value() : 0;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& params = ctx->input(0);
    const Tensor& indices = ctx->input(1);
    const int prank = params.shape().rank();
    const int irank = indices.shape().rank();
    if (prank < 1) return InvalidArgument("params must be at least 1 dimensional");
    int64_t axis = 0;
    int64_t batch_dims = v2_ ? batch_dims_ : 0;
    if (v2_) {
      const Tensor& a = ctx->input(2);
      if (a.shape().rank() != 0) return InvalidArgument("axis must be scalar, but got shape " + a.shape().ToString());
      ASSIGN_OR_RETURN(axis, ReadIndexScalar(a, "axis"));
      if (axis < -prank || axis >= prank) {
        return InvalidArgument("Expected axis in the range [" + std::to_string(-prank) + ", " + std::to_string(prank) +
                               "), but got " + std::to_string(axis));
      }
      if (axis < 0) axis += prank;
    }
    if (batch_dims != 0) {
      if (batch_dims < -irank || batch_dims > irank) {
        return InvalidArgument("Expected batch_dims in the range [" + std::to_string(-irank) + ", " +
                               std::to_string(irank) + "], but got " + std::to_string(batch_dims));
      }
      if (batch_dims < 0) batch_dims += irank;
      if (batch_dims >= prank) {
        return InvalidArgument("batch_dims (" + std::to_string(batch_dims) + ") must be less than rank(params) (" +
                               std::to_string(prank) + ").");
      }
      if (axis < batch_dims) {
        return InvalidArgument("batch_dims (" + std::to_string(batch_dims) + ") must be less than or equal to axis (" +
                               std::to_string(axis) + ").");
      }
      for (int i = 0; i < batch_dims; ++i) {
        if (params.shape().dim(i) != indices.shape().dim(i)) {
          return InvalidArgument("params.shape[" + std::to_string(i) + "]: " + std::to_string(params.shape().dim(i)) +
                                 " should be equal to indices.shape[" + std::to_string(i) +
                                 "]: " + std::to_string(indices.shape().dim(i)));
        }
      }
    }
    return GatherCore(ctx, params, indices, static_cast<int>(axis), static_cast<int>(batch_dims));
  }

 private:
  bool v2_ = false;
  int64_t batch_dims_ = 0;
};

// ---- GatherNd (batch_dims: leading dims shared by params and indices) ----
class GatherNdKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto b = GetIntAttr(def, "batch_dims");
    batch_dims_ = b.ok() ? b.value() : 0;
    if (batch_dims_ < 0) return InvalidArgument("batch_dims must be non-negative, got " + std::to_string(batch_dims_));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& params = ctx->input(0);
    const Tensor& indices = ctx->input(1);
    const std::vector<int64_t>& pd = params.shape().dims();
    const std::vector<int64_t>& id = indices.shape().dims();
    const int prank = params.shape().rank(), irank = indices.shape().rank();
    const int bd = static_cast<int>(batch_dims_);
    if (prank < 1) return InvalidArgument("params must be at least a vector");
    if (irank < 1) return InvalidArgument("index must be at least a vector");
    if (bd >= irank || bd >= prank) {
      return InvalidArgument("batch_dims (" + std::to_string(bd) + ") must be less than rank(indices) (" +
                             std::to_string(irank) + ") and rank(params) (" + std::to_string(prank) + ")");
    }
    for (int i = 0; i < bd; ++i) {
      if (pd[i] != id[i]) {
        return InvalidArgument("params.shape[" + std::to_string(i) + "]: " + std::to_string(pd[i]) +
                               " should be equal to indices.shape[" + std::to_string(i) + "]: " + std::to_string(id[i]));
      }
    }
    const int64_t k = id[irank - 1];
    if (k > prank - bd) {
      return InvalidArgument("index innermost dimension length must be <= params rank; saw: " + std::to_string(k) +
                             " vs. " + std::to_string(prank - bd));
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, FlatIndices(indices, "indices"));
    std::vector<int64_t> out_dims(id.begin(), id.end() - 1);
    out_dims.insert(out_dims.end(), pd.begin() + bd + k, pd.end());
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(out_dims));
    const int64_t batch = Prod(pd, 0, bd);
    const int64_t m = Prod(id, bd, irank - 1);  // index tuples per batch
    const int64_t slice = Prod(pd, bd + static_cast<int>(k), prank);
    const int64_t per_batch = Prod(pd, bd, prank);
    if (batch * m > 0 && params.num_elements() == 0) {
      return InvalidArgument("Requested more than 0 entries, but params is empty.  Params shape: " +
                             params.shape().ToString());
    }
    // Validate every tuple and turn it into a flat source offset.
    std::vector<int64_t> strides(static_cast<size_t>(k), 1);
    for (int64_t j = k - 2; j >= 0; --j) strides[j] = strides[j + 1] * pd[bd + j + 1];
    std::vector<int64_t> offsets(static_cast<size_t>(batch * m));
    std::vector<int64_t> tuple_dims(id.begin(), id.end() - 1);
    for (int64_t t = 0; t < batch * m; ++t) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j) {
        const int64_t v = idx[t * k + j];
        if (v < 0 || v >= pd[bd + j]) {
          std::string tuple;
          for (int64_t q = 0; q < k; ++q) tuple += (q ? ", " : "") + std::to_string(idx[t * k + q]);
          return InvalidArgument("indices" + SliceDebugString(tuple_dims, t) + " = [" + tuple +
                                 "] does not index into param shape " + params.shape().ToString());
        }
        off += v * strides[j];
      }
      offsets[t] = (t / std::max<int64_t>(m, 1)) * per_batch + off * slice;
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, params.dtype(), out_shape));
    if (out.num_elements() == 0) return Status::OK();
    ForRange(ctx->intra_op(), batch * m, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) CopyElems(params, offsets[t], out, t * slice, slice);
    }, CostFor(slice));
    return Status::OK();
  }

 private:
  int64_t batch_dims_ = 0;
};

// ---- ScatterNd: out = zeros(shape); out[indices[i]] += updates[i] ----
class ScatterNdKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& indices = ctx->input(0);
    const Tensor& updates = ctx->input(1);
    const Tensor& shape_t = ctx->input(2);
    if (shape_t.shape().rank() != 1) return InvalidArgument("Shape must be a vector, got shape " + shape_t.shape().ToString());
    ASSIGN_OR_RETURN(std::vector<int64_t> sd, ReadIndexVector(shape_t, "shape"));
    for (size_t i = 0; i < sd.size(); ++i) {
      if (sd[i] < 0) return InvalidArgument("Dimension " + std::to_string(i) + " of shape must be non-negative, got " + std::to_string(sd[i]));
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(sd));
    const std::vector<int64_t>& id = indices.shape().dims();
    const std::vector<int64_t>& ud = updates.shape().dims();
    const int irank = indices.shape().rank(), urank = updates.shape().rank(), srank = out_shape.rank();
    if (irank < 1) return InvalidArgument("Indices shape must have rank at least one. Found:" + indices.shape().ToString());
    const int64_t k = id[irank - 1];
    if (k > srank) {
      return InvalidArgument("Index innermost dimension length must be <= output rank; saw: " + std::to_string(k) +
                             " vs. " + std::to_string(srank));
    }
    // updates.shape must be indices.shape[:-1] + shape[k:].
    const int outer_rank = irank - 1;
    std::vector<int64_t> want(id.begin(), id.end() - 1);
    want.insert(want.end(), sd.begin() + k, sd.end());
    if (ud != want) {
      if (urank < outer_rank || !std::equal(id.begin(), id.end() - 1, ud.begin())) {
        return InvalidArgument("Dimensions [0," + std::to_string(outer_rank) + ") of indices[shape=" +
                               indices.shape().ToString() + "] must match dimensions [0," + std::to_string(outer_rank) +
                               ") of updates[shape=" + updates.shape().ToString() + "]");
      }
      return InvalidArgument("Dimensions [" + std::to_string(k) + "," + std::to_string(srank) + ") of input[shape=" +
                             out_shape.ToString() + "] must match dimensions [" + std::to_string(outer_rank) + "," +
                             std::to_string(urank) + ") of updates[shape=" + updates.shape().ToString() + "]");
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> idx, FlatIndices(indices, "indices"));
    const int64_t n = Prod(id, 0, outer_rank);
    const int64_t slice = Prod(sd, static_cast<int>(k), srank);
    std::vector<int64_t> strides(static_cast<size_t>(k), 1);
    for (int64_t j = k - 2; j >= 0; --j) strides[j] = strides[j + 1] * sd[j + 1];
    std::vector<int64_t> offsets(static_cast<size_t>(n));
    std::vector<int64_t> tuple_dims(id.begin(), id.end() - 1);
    for (int64_t t = 0; t < n; ++t) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j) {
        const int64_t v = idx[t * k + j];
        if (v < 0 || v >= sd[j]) {
          std::string tuple;
          for (int64_t q = 0; q < k; ++q) tuple += (q ? ", " : "") + std::to_string(idx[t * k + q]);
          return InvalidArgument("indices" + SliceDebugString(tuple_dims, t) + " = [" + tuple +
                                 "] does not index into shape " + out_shape.ToString());
        }
        off += v * strides[j];
      }
      offsets[t] = off * slice;
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, updates.dtype(), out_shape));
    Status st;
    bool ok = DispatchNumeric(updates.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* po = out.data<T>();
      const T* pu = updates.data<T>();
      const int64_t total = out.num_elements();
      if constexpr (std::is_same<T, Half>::value) {
        for (int64_t i = 0; i < total; ++i) po[i] = FloatToHalf(0.0f);
      } else {
        std::fill(po, po + total, T{});
      }
      for (int64_t t = 0; t < n; ++t) {
        T* d = po + offsets[t];
        const T* s = pu + t * slice;
        for (int64_t e = 0; e < slice; ++e) {
          if constexpr (std::is_same<T, bool>::value) {
            d[e] = d[e] || s[e];
          } else {
            if constexpr (std::is_integral<T>::value) {
              using U = typename std::make_unsigned<T>::type;  // wraps instead of overflowing
              d[e] = static_cast<T>(static_cast<U>(static_cast<U>(d[e]) + static_cast<U>(s[e])));
            } else {
              d[e] = Store<T>(static_cast<typename MathType<T>::type>(Load(d[e]) + Load(s[e])));
            }
          }
        }
      }
    });
    if (!ok) return InvalidArgument("ScatterNd does not support " + DataTypeName(updates.dtype()));
    return st;
  }
};

// ---- OneHot ----
class OneHotKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    auto a = GetIntAttr(def, "axis");
    axis_ = a.ok() ? a.value() : -1;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& indices = ctx->input(0);
    const Tensor& depth_t = ctx->input(1);
    const Tensor& on = ctx->input(2);
    const Tensor& off = ctx->input(3);
    const int irank = indices.shape().rank();
    const int out_rank = irank + 1;
    if (!(axis_ == -1 || (axis_ >= 0 && axis_ < out_rank))) {
      return InvalidArgument("Expected axis to be -1 or between [0, " + std::to_string(out_rank) +
                             ").  But received: " + std::to_string(axis_));
    }
    if (depth_t.shape().rank() != 0) return InvalidArgument("depth must be a scalar, but got: " + depth_t.shape().ToString());
    if (on.shape().rank() != 0) return InvalidArgument("on_value must be a scalar, but got: " + on.shape().ToString());
    if (off.shape().rank() != 0) return InvalidArgument("off_value must be a scalar, but got: " + off.shape().ToString());
    ASSIGN_OR_RETURN(int64_t depth, ReadIndexScalar(depth_t, "depth"));
    if (depth < 0) return InvalidArgument("depth must be non-negative, got: " + std::to_string(depth));
    const int axis = axis_ == -1 ? irank : static_cast<int>(axis_);
    std::vector<int64_t> od(indices.shape().dims());
    od.insert(od.begin() + axis, depth);
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(od));
    std::vector<int64_t> idx;
    if (indices.dtype() == DT_UINT8) {
      idx.resize(indices.num_elements());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = indices.data<uint8_t>()[i];
    } else if (indices.dtype() == DT_INT8) {
      idx.resize(indices.num_elements());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = indices.data<int8_t>()[i];
    } else {
      ASSIGN_OR_RETURN(idx, FlatIndices(indices, "indices"));
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, on.dtype(), out_shape));
    const int64_t prefix = Prod(indices.shape().dims(), 0, axis);
    const int64_t suffix = Prod(indices.shape().dims(), axis, irank);
    // out[p, d, s] = idx[p, s] == d ? on : off
    for (int64_t p = 0; p < prefix; ++p) {
      for (int64_t d = 0; d < depth; ++d) {
        for (int64_t s = 0; s < suffix; ++s) {
          const int64_t o = (p * depth + d) * suffix + s;
          CopyElems(idx[p * suffix + s] == d ? on : off, 0, out, o, 1);
        }
      }
    }
    return Status::OK();
  }

 private:
  int64_t axis_ = -1;
};

// ---- Where (one input): int64 coordinates of the true (non-zero) elements, row-major order ----
class WhereKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const int64_t n = in.num_elements();
    std::vector<int64_t> hits;
    bool ok = true;
    if (in.dtype() == DT_STRING) {
      for (int64_t i = 0; i < n; ++i) if (!in.data<std::string>()[i].empty()) hits.push_back(i);
    } else {
      ok = DispatchNumeric(in.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* p = in.data<T>();
        for (int64_t i = 0; i < n; ++i) {
          if (Load(p[i]) != static_cast<typename MathType<T>::type>(0)) hits.push_back(i);
        }
      });
    }
    if (!ok) return InvalidArgument("Where does not support " + DataTypeName(in.dtype()));
    const int rank = in.shape().rank();
    const int64_t count = static_cast<int64_t>(hits.size());
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_INT64, Shape({count, rank})));
    int64_t* po = out.data<int64_t>();
    const std::vector<int64_t>& dims = in.shape().dims();
    for (int64_t h = 0; h < count; ++h) {
      int64_t rem = hits[h];
      for (int d = rank - 1; d >= 0; --d) {
        po[h * rank + d] = rem % dims[d];
        rem /= dims[d];
      }
    }
    return Status::OK();
  }
};

// ---- DynamicStitch: merged[indices[i][j]] = data[i][j] (later ones win) ----
class DynamicStitchKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(n_, GetIntAttr(def, "N"));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const int n = static_cast<int>(n_);
    if (ctx->num_inputs() != 2 * n) return InvalidArgument("DynamicStitch expects 2*N inputs");
    const Tensor& d0 = ctx->input(n);
    const Tensor& i0 = ctx->input(0);
    if (d0.shape().rank() < i0.shape().rank()) {
      return InvalidArgument("data[0].shape = " + d0.shape().ToString() + " does not start with indices[0].shape = " +
                             i0.shape().ToString());
    }
    const std::vector<int64_t> tail(d0.shape().dims().begin() + i0.shape().rank(), d0.shape().dims().end());
    const int64_t slice = Prod(tail, 0, static_cast<int>(tail.size()));
    std::vector<std::vector<int64_t>> all(n);
    int64_t max_index = -1;
    for (int i = 0; i < n; ++i) {
      const Tensor& ind = ctx->input(i);
      const Tensor& dat = ctx->input(n + i);
      if (dat.dtype() != d0.dtype()) return InvalidArgument("data tensors must all have the same dtype");
      const int ir = ind.shape().rank();
      const auto& dd = dat.shape().dims();
      const auto& idd = ind.shape().dims();
      if (dat.shape().rank() < ir || !std::equal(idd.begin(), idd.end(), dd.begin())) {
        return InvalidArgument("data[" + std::to_string(i) + "].shape = " + dat.shape().ToString() +
                               " does not start with indices[" + std::to_string(i) + "].shape = " + ind.shape().ToString());
      }
      if (!std::equal(dd.begin() + ir, dd.end(), tail.begin(), tail.end())) {
        return InvalidArgument("Need data[0].shape[" + std::to_string(i0.shape().rank()) + ":] = " +
                               DimsString(tail, 0, static_cast<int>(tail.size())) + " to match data[" + std::to_string(i) +
                               "].shape[" + std::to_string(ir) + ":] = " + DimsString(dd, ir, static_cast<int>(dd.size())));
      }
      ASSIGN_OR_RETURN(all[i], FlatIndices(ind, "indices"));
      for (int64_t v : all[i]) max_index = std::max(max_index, v);
    }
    const int64_t first = max_index + 1;
    std::vector<int64_t> od{first};
    od.insert(od.end(), tail.begin(), tail.end());
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(od));
    for (int i = 0; i < n; ++i) {
      for (size_t j = 0; j < all[i].size(); ++j) {
        if (all[i][j] < 0 || all[i][j] >= first) {
          return InvalidArgument("indices[" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                                 std::to_string(all[i][j]) + " is out of range");
        }
      }
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, d0.dtype(), out_shape));
    ZeroElems(out, 0, out.num_elements());
    for (int i = 0; i < n; ++i) {
      const Tensor& dat = ctx->input(n + i);
      for (size_t j = 0; j < all[i].size(); ++j) CopyElems(dat, static_cast<int64_t>(j) * slice, out, all[i][j] * slice, slice);
    }
    return Status::OK();
  }

 private:
  int64_t n_ = 0;
};

// ---- DynamicPartition: outputs[p] = data[partitions == p] in order ----
class DynamicPartitionKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(num_, GetIntAttr(def, "num_partitions"));
    if (num_ < 1) return InvalidArgument("num_partitions must be at least 1, got " + std::to_string(num_));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& data = ctx->input(0);
    const Tensor& parts = ctx->input(1);
    if (parts.dtype() != DT_INT32) return InvalidArgument("partitions must be int32, got " + DataTypeName(parts.dtype()));
    const auto& dd = data.shape().dims();
    const auto& pdm = parts.shape().dims();
    const int pr = parts.shape().rank();
    if (data.shape().rank() < pr || !std::equal(pdm.begin(), pdm.end(), dd.begin())) {
      return InvalidArgument("data.shape must start with partitions.shape, got data.shape = " + data.shape().ToString() +
                             ", partitions.shape = " + parts.shape().ToString());
    }
    const int32_t* p = parts.data<int32_t>();
    const int64_t count = parts.num_elements();
    std::vector<int64_t> sizes(static_cast<size_t>(num_), 0);
    for (int64_t i = 0; i < count; ++i) {
      if (p[i] < 0 || p[i] >= num_) {
        return InvalidArgument("partitions" + SliceDebugString(pdm, i) + " = " + std::to_string(p[i]) +
                               " is not in [0, " + std::to_string(num_) + ")");
      }
      ++sizes[p[i]];
    }
    const int64_t slice = Prod(dd, pr, static_cast<int>(dd.size()));
    std::vector<Tensor> outs(static_cast<size_t>(num_));
    for (int64_t q = 0; q < num_; ++q) {
      std::vector<int64_t> od{sizes[q]};
      od.insert(od.end(), dd.begin() + pr, dd.end());
      ASSIGN_OR_RETURN(outs[q], ctx->AllocateOutput(static_cast<int>(q), data.dtype(), Shape(od)));
    }
    std::vector<int64_t> fill(static_cast<size_t>(num_), 0);
    for (int64_t i = 0; i < count; ++i) {
      CopyElems(data, i * slice, outs[p[i]], fill[p[i]] * slice, slice);
      ++fill[p[i]];
    }
    return Status::OK();
  }

 private:
  int64_t num_ = 1;
};

// ---- InvertPermutation ----
class InvertPermutationKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    if (x.shape().rank() != 1) return InvalidArgument("invert_permutation expects a 1D vector.");
    ASSIGN_OR_RETURN(std::vector<int64_t> v, FlatIndices(x, "x"));
    const int64_t n = static_cast<int64_t>(v.size());
    std::vector<int64_t> inv(v.size(), -1);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t d = v[i];
      if (d < 0 || d >= n) {
        return InvalidArgument("x[" + std::to_string(i) + "] = " + std::to_string(d) + " is not in [0, " +
                               std::to_string(n) + ")");
      }
      if (inv[d] != -1) return InvalidArgument(std::to_string(d) + " is duplicated in the input.");
      inv[d] = i;
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, x.dtype(), x.shape()));
    for (int64_t i = 0; i < n; ++i) {
      if (x.dtype() == DT_INT32) {
        out.data<int32_t>()[i] = static_cast<int32_t>(inv[i]);
      } else {
        out.data<int64_t>()[i] = inv[i];
      }
    }
    return Status::OK();
  }
};

StatusOr<OpArity> StitchArity(const NodeDef& node) {
  ASSIGN_OR_RETURN(int64_t n, GetIntAttr(node, "N"));
  if (n < 1 || n > (1 << 20)) return InvalidArgument("DynamicStitch attr N must be in [1, 2^20], got " + std::to_string(n));
  return OpArity{static_cast<int>(2 * n), 1};
}

StatusOr<OpArity> PartitionArity(const NodeDef& node) {
  ASSIGN_OR_RETURN(int64_t n, GetIntAttr(node, "num_partitions"));
  if (n < 1 || n > (1 << 20)) {
    return InvalidArgument("DynamicPartition attr num_partitions must be in [1, 2^20], got " + std::to_string(n));
  }
  return OpArity{2, static_cast<int>(n)};
}

}  // namespace

namespace {
void RegisterGatherScatterKernels(OpRegistry* r) {
  const std::vector<DataType> numeric_bool = {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_INT8, DT_INT16,
                                              DT_UINT8, DT_UINT16, DT_HALF,  DT_BOOL};
  r->RegisterOp({"Gather", FixedArity(2, 1)});
  r->RegisterKernel("Gather", "Tparams", kAllTypes, MakeFactory<GatherKernel>());
  r->RegisterOp({"GatherV2", FixedArity(3, 1)});
  r->RegisterKernel("GatherV2", "Tparams", kAllTypes, MakeFactory<GatherKernel>());
  r->RegisterOp({"GatherNd", FixedArity(2, 1)});
  r->RegisterKernel("GatherNd", "Tparams", kAllTypes, MakeFactory<GatherNdKernel>());
  r->RegisterOp({"ScatterNd", FixedArity(3, 1)});
  r->RegisterKernel("ScatterNd", "T", numeric_bool, MakeFactory<ScatterNdKernel>());
  r->RegisterOp({"OneHot", FixedArity(4, 1)});
  r->RegisterKernel("OneHot", "T", kAllTypes, MakeFactory<OneHotKernel>());
  r->RegisterOp({"Where", FixedArity(1, 1)});
  r->RegisterKernel("Where", "T", kAllTypes, MakeFactory<WhereKernel>());
  r->RegisterOp({"DynamicStitch", StitchArity});
  r->RegisterKernel("DynamicStitch", "T", kAllTypes, MakeFactory<DynamicStitchKernel>());
  r->RegisterOp({"DynamicPartition", PartitionArity});
  r->RegisterKernel("DynamicPartition", "T", kAllTypes, MakeFactory<DynamicPartitionKernel>());
  r->RegisterOp({"InvertPermutation", FixedArity(1, 1)});
  r->RegisterKernel("InvertPermutation", "T", {DT_INT32, DT_INT64}, MakeFactory<InvertPermutationKernel>());
}
}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterGatherScatterKernels);

}  // namespace graphrt
