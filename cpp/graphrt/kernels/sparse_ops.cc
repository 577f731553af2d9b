// Sparse ops over the (indices, values, dense_shape) triple of a SparseTensor: SparseToDense,
// SparseTensorDenseMatMul, SparseReduceSum, SparseAdd, SparseReorder, SparseReshape.
// Every index is checked before it addresses memory; half is computed in float.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

std::string JoinIndex(const int64_t* idx, int64_t n, const char* sep = ",") {
  std::string s = "[";
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += sep;
    s += std::to_string(idx[i]);
  }
  return s + "]";
}

std::string JoinVec(const std::vector<int64_t>& v, const char* sep = ",") {
  return JoinIndex(v.data(), static_cast<int64_t>(v.size()), sep);
}

// Reads an int32/int64 tensor's elements as int64.
std::vector<int64_t> ReadInt64s(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DT_INT32) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  } else {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  }
  return v;
}

Status CheckIndexType(const Tensor& t, const char* what) {
  if (t.dtype() != DT_INT32 && t.dtype() != DT_INT64) {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " + DataTypeName(t.dtype()));
  }
  return Status::OK();
}

Status CheckInt64(const Tensor& t, const char* what) {
  if (t.dtype() != DT_INT64) return InvalidArgument(std::string(what) + " must be int64, got " + DataTypeName(t.dtype()));
  return Status::OK();
}

// Lexicographic comparison of rows i and j of a row-major [n, rank] index matrix.
int CompareRows(const int64_t* a, int64_t i, const int64_t* b, int64_t j, int64_t rank) {
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t x = a[i * rank + d], y = b[j * rank + d];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

// TF's SparseTensor::IndicesValid: in bounds, strictly increasing in row-major order.
Status IndicesValid(const int64_t* idx, int64_t n, int64_t rank, const std::vector<int64_t>& shape) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* row = idx + i * rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (row[d] < 0 || row[d] >= shape[d]) {
        return InvalidArgument("indices[" + std::to_string(i) + "] = " + JoinIndex(row, rank) +
                               " is out of bounds: need 0 <= index < " + JoinVec(shape));
      }
    }
    if (i > 0) {
      const int c = CompareRows(idx, i - 1, idx, i, rank);
      if (c > 0) {
        return InvalidArgument("indices[" + std::to_string(i) + "] = " + JoinIndex(row, rank) +
                               " is out of order. Many sparse ops require sorted indices.\n"
                               "    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n");
      }
      if (c == 0) {
        return InvalidArgument("indices[" + std::to_string(i) + "] = " + JoinIndex(row, rank) + " is repeated");
      }
    }
  }
  return Status::OK();
}

// Checks the SparseTensor triple (indices [N, R] int64, values [N], shape [R] int64) with TF's wording.
Status CheckSparseTriple(const Tensor& ind, const Tensor& val, const Tensor& shape) {
  RETURN_IF_ERROR(CheckInt64(ind, "Input indices"));
  RETURN_IF_ERROR(CheckInt64(shape, "Input shape"));
  if (ind.shape().rank() != 2) {
    return InvalidArgument("Input indices should be a matrix but received shape " + ind.shape().ToString());
  }
  if (val.shape().rank() != 1) {
    return InvalidArgument("Input values should be a vector but received shape " + val.shape().ToString());
  }
  if (shape.shape().rank() != 1) {
    return InvalidArgument("Input shape should be a vector but received shape " + shape.shape().ToString());
  }
  if (ind.shape().dim(0) != val.shape().dim(0)) {
    return InvalidArgument("Expected " + std::to_string(ind.shape().dim(0)) + " non-empty input values, got " +
                           std::to_string(val.shape().dim(0)));
  }
  if (ind.shape().dim(1) != shape.shape().dim(0)) {
    return InvalidArgument("Input indices have rank " + std::to_string(ind.shape().dim(1)) +
                           " but the input shape has " + std::to_string(shape.shape().dim(0)) + " dimensions");
  }
  return Status::OK();
}

// Checks every row of an [n, rank] index matrix lies inside `shape`.
Status CheckInBounds(const int64_t* idx, int64_t n, int64_t rank, const std::vector<int64_t>& shape) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* row = idx + i * rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (row[d] < 0 || row[d] >= shape[d]) {
        return InvalidArgument("indices[" + std::to_string(i) + "] = " + JoinIndex(row, rank) +
                               " is out of bounds: need 0 <= index < " + JoinVec(shape));
      }
    }
  }
  return Status::OK();
}

// ---- SparseToDense -------------------------------------------------------------------------------

class SparseToDenseKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(validate_, GetBoolAttr(def, "validate_indices", true));
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& indices = ctx->input(0);
    const Tensor& output_shape = ctx->input(1);
    const Tensor& values = ctx->input(2);
    const Tensor& default_value = ctx->input(3);
    RETURN_IF_ERROR(CheckIndexType(indices, "sparse_indices"));
    RETURN_IF_ERROR(CheckIndexType(output_shape, "output_shape"));
    if (indices.shape().rank() > 2) {
      return InvalidArgument("sparse_indices should be a scalar, vector, or matrix, got shape " +
                             indices.shape().ToString());
    }
    if (output_shape.shape().rank() > 1) {
      return InvalidArgument("output_shape should be a scalar or vector, got shape " + output_shape.shape().ToString());
    }
    const int64_t num_elems = indices.shape().rank() > 0 ? indices.shape().dim(0) : 1;
    const int64_t num_dims = indices.shape().rank() > 1 ? indices.shape().dim(1) : 1;
    if (!(values.shape().rank() == 0 || (values.shape().rank() == 1 && values.num_elements() == num_elems))) {
      return InvalidArgument("sparse_values has incorrect shape " + values.shape().ToString() + ", should be [] or [" +
                             std::to_string(num_elems) + "]");
    }
    if (default_value.shape().rank() != 0) return InvalidArgument("default_value should be a scalar.");
    if (values.dtype() != default_value.dtype()) {
      return InvalidArgument("sparse_values and default_value must have the same type");
    }
    if (output_shape.num_elements() != num_dims) {
      return InvalidArgument("output_shape has incorrect number of elements: " +
                             std::to_string(output_shape.num_elements()) + " should be: " + std::to_string(num_dims));
    }
    const std::vector<int64_t> dims = ReadInt64s(output_shape);
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] < 0) {
        return InvalidArgument("Dimension " + std::to_string(dims[d]) + " must be >= 0");
      }
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(dims));
    const std::vector<int64_t> idx = ReadInt64s(indices);
    if (validate_) {
      RETURN_IF_ERROR(IndicesValid(idx.data(), num_elems, num_dims, dims));
    } else {
      for (int64_t i = 0; i < num_elems; ++i) {
        for (int64_t d = 0; d < num_dims; ++d) {
          const int64_t v = idx[i * num_dims + d];
          if (v < 0 || v >= dims[d]) {
            return InvalidArgument("Indices are not valid (out of bounds).  Shape: " + out_shape.ToString());
          }
        }
      }
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, values.dtype(), out_shape));
    Status status;
    const bool handled = DispatchAllTypes(values.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* o = out.data<T>();
      const T def = default_value.data<T>()[0];
      const int64_t n = out.num_elements();
      for (int64_t i = 0; i < n; ++i) o[i] = def;
      const T* v = values.data<T>();
      const bool scalar = values.shape().rank() == 0;
      for (int64_t i = 0; i < num_elems; ++i) {
        int64_t flat = 0;
        for (int64_t d = 0; d < num_dims; ++d) flat = flat * dims[d] + idx[i * num_dims + d];
        o[flat] = scalar ? v[0] : v[i];
      }
    });
    if (!handled) return InvalidArgument("SparseToDense does not support " + DataTypeName(values.dtype()));
    return status;
  }

 private:
  bool validate_ = true;
};

// ---- SparseTensorDenseMatMul ---------------------------------------------------------------------

class SparseTensorDenseMatMulKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(adjoint_a_, GetBoolAttr(def, "adjoint_a", false));
    ASSIGN_OR_RETURN(adjoint_b_, GetBoolAttr(def, "adjoint_b", false));
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a_indices = ctx->input(0);
    const Tensor& a_values = ctx->input(1);
    const Tensor& a_shape = ctx->input(2);
    const Tensor& b = ctx->input(3);
    RETURN_IF_ERROR(CheckIndexType(a_indices, "a_indices"));
    RETURN_IF_ERROR(CheckInt64(a_shape, "a_shape"));
    if (a_shape.shape().rank() != 1) return InvalidArgument("Tensor 'a_shape' is not a vector");
    if (a_shape.num_elements() != 2) return InvalidArgument("Tensor 'a_shape' must have 2 elements");
    if (a_values.shape().rank() != 1) return InvalidArgument("Tensor 'a_values' is not a vector");
    if (a_indices.shape().rank() != 2) return InvalidArgument("Tensor 'a_indices' is not a matrix");
    const int64_t nnz = a_indices.shape().dim(0);
    if (nnz != a_values.num_elements()) {
      return InvalidArgument("Number of rows of a_indices does not match number of entries in a_values");
    }
    if (a_indices.shape().dim(1) != a_shape.num_elements()) {
      return InvalidArgument("Number of columns of a_indices does not match number of entries in a_shape");
    }
    if (b.shape().rank() != 2) return InvalidArgument("Tensor 'b' is not a matrix");
    if (a_values.dtype() != b.dtype()) return InvalidArgument("a_values and b must have the same type");
    const int64_t* as = a_shape.data<int64_t>();
    if (as[0] < 0 || as[1] < 0) return InvalidArgument("Dimensions of A must be non-negative, got " + JoinIndex(as, 2));
    const int64_t out_rows = adjoint_a_ ? as[1] : as[0];
    const int64_t inner_left = adjoint_a_ ? as[0] : as[1];
    const int64_t inner_right = adjoint_b_ ? b.shape().dim(1) : b.shape().dim(0);
    const int64_t out_cols = adjoint_b_ ? b.shape().dim(0) : b.shape().dim(1);
    if (inner_left != inner_right) {
      return InvalidArgument("Cannot multiply A and B because inner dimension does not match: " +
                             std::to_string(inner_left) + " vs. " + std::to_string(inner_right) +
                             ".  Did you forget a transpose?  Dimensions of A: [" + std::to_string(as[0]) + ", " +
                             std::to_string(as[1]) + ").  Dimensions of B: " + b.shape().ToString());
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make({out_rows, out_cols}));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, b.dtype(), out_shape));
    const std::vector<int64_t> idx = ReadInt64s(a_indices);
    const int lhs_index_a = adjoint_a_ ? 1 : 0, rhs_index_a = adjoint_a_ ? 0 : 1;
    for (int64_t i = 0; i < nnz; ++i) {
      const int64_t m = idx[i * 2 + lhs_index_a], k = idx[i * 2 + rhs_index_a];
      if (k < 0 || k >= inner_left) {
        return InvalidArgument("k (" + std::to_string(k) + ") from index[" + std::to_string(i) + "," +
                               std::to_string(rhs_index_a) + "] out of bounds (>=" + std::to_string(inner_left) + ")");
      }
      if (m < 0 || m >= out_rows) {
        return InvalidArgument("m (" + std::to_string(m) + ") from index[" + std::to_string(i) + "," +
                               std::to_string(lhs_index_a) + "] out of bounds (>=" + std::to_string(out_rows) + ")");
      }
    }
    const int64_t b_cols = b.shape().dim(1);
    const bool handled = DispatchReal(b.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using M = typename MathType<T>::type;
      std::vector<M> acc(static_cast<size_t>(out_rows * out_cols), M(0));
      const T* av = a_values.data<T>();
      const T* bv = b.data<T>();
      for (int64_t i = 0; i < nnz; ++i) {
        const int64_t m = idx[i * 2 + lhs_index_a], k = idx[i * 2 + rhs_index_a];
        const M a = Load(av[i]);
        M* row = acc.data() + m * out_cols;
        if (adjoint_b_) {
          for (int64_t n = 0; n < out_cols; ++n) row[n] += a * Load(bv[n * b_cols + k]);
        } else {
          const T* brow = bv + k * b_cols;
          for (int64_t n = 0; n < out_cols; ++n) row[n] += a * Load(brow[n]);
        }
      }
      T* o = out.data<T>();
      for (size_t j = 0; j < acc.size(); ++j) o[j] = Store<T>(acc[j]);
    });
    if (!handled) return InvalidArgument("SparseTensorDenseMatMul does not support " + DataTypeName(b.dtype()));
    return Status::OK();
  }

 private:
  bool adjoint_a_ = false, adjoint_b_ = false;
};

// ---- SparseReduceSum -----------------------------------------------------------------------------

class SparseReduceSumKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(keep_dims_, GetBoolAttr(def, "keep_dims", false));
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& ind = ctx->input(0);
    const Tensor& val = ctx->input(1);
    const Tensor& shape_t = ctx->input(2);
    const Tensor& axes_t = ctx->input(3);
    RETURN_IF_ERROR(CheckSparseTriple(ind, val, shape_t));
    RETURN_IF_ERROR(CheckIndexType(axes_t, "reduction_axes"));
    if (axes_t.shape().rank() > 1) {
      return InvalidArgument("reduction_axes must be a scalar or vector, got shape " + axes_t.shape().ToString());
    }
    const int64_t rank = shape_t.num_elements();
    const int64_t nnz = ind.shape().dim(0);
    const std::vector<int64_t> shape(shape_t.data<int64_t>(), shape_t.data<int64_t>() + rank);
    for (int64_t d : shape) {
      if (d < 0) return InvalidArgument("Input shape has a negative dimension: " + JoinVec(shape));
    }
    RETURN_IF_ERROR(Shape::Make(shape).status());
    std::vector<bool> reduce(static_cast<size_t>(rank), false);
    for (int64_t a : ReadInt64s(axes_t)) {
      if (a < -rank || a >= rank) {
        return InvalidArgument("Invalid reduction dimension " + std::to_string(a) + ", for input with " +
                               std::to_string(rank) + " dimensions.");
      }
      reduce[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
    }
    const int64_t* idx = ind.data<int64_t>();
    RETURN_IF_ERROR(CheckInBounds(idx, nnz, rank, shape));
    std::vector<int64_t> out_dims;
    for (int64_t d = 0; d < rank; ++d) {
      if (!reduce[d]) {
        out_dims.push_back(shape[d]);
      } else if (keep_dims_) {
        out_dims.push_back(1);
      }
    }
    ASSIGN_OR_RETURN(Shape out_shape, Shape::Make(out_dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, val.dtype(), out_shape));
    const bool handled = DispatchReal(val.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using M = typename MathType<T>::type;
      std::vector<M> acc(static_cast<size_t>(out.num_elements()), M(0));
      const T* v = val.data<T>();
      for (int64_t i = 0; i < nnz; ++i) {
        int64_t flat = 0;
        for (int64_t d = 0; d < rank; ++d) {
          if (!reduce[d]) flat = flat * shape[d] + idx[i * rank + d];
        }
        acc[flat] += Load(v[i]);
      }
      T* o = out.data<T>();
      for (size_t j = 0; j < acc.size(); ++j) o[j] = Store<T>(acc[j]);
    });
    if (!handled) return InvalidArgument("SparseReduceSum does not support " + DataTypeName(val.dtype()));
    return Status::OK();
  }

 private:
  bool keep_dims_ = false;
};

// ---- SparseAdd -----------------------------------------------------------------------------------

class SparseAddKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a_ind = ctx->input(0);
    const Tensor& a_val = ctx->input(1);
    const Tensor& a_shape = ctx->input(2);
    const Tensor& b_ind = ctx->input(3);
    const Tensor& b_val = ctx->input(4);
    const Tensor& b_shape = ctx->input(5);
    const Tensor& thresh = ctx->input(6);
    for (const Tensor* t : {&a_ind, &a_shape, &b_ind, &b_shape}) RETURN_IF_ERROR(CheckInt64(*t, "Sparse indices and shapes"));
    if (a_ind.shape().rank() != 2 || b_ind.shape().rank() != 2) {
      return InvalidArgument("Input indices should be matrices but received shapes: " + a_ind.shape().ToString() +
                             " and " + b_ind.shape().ToString());
    }
    if (a_val.shape().rank() != 1 || b_val.shape().rank() != 1) {
      return InvalidArgument("Input values should be vectors but received shapes: " + a_val.shape().ToString() +
                             " and " + b_val.shape().ToString());
    }
    const int64_t a_nnz = a_ind.shape().dim(0), b_nnz = b_ind.shape().dim(0);
    if (a_val.num_elements() != a_nnz || b_val.num_elements() != b_nnz) {
      return InvalidArgument("Expected " + std::to_string(a_nnz) + " and " + std::to_string(b_nnz) +
                             " non-empty input values, got " + std::to_string(a_val.num_elements()) + " and " +
                             std::to_string(b_val.num_elements()));
    }
    if (a_shape.shape().rank() != 1 || b_shape.shape().rank() != 1) {
      return InvalidArgument("Input shapes should be a vector but received shapes " + a_shape.shape().ToString() +
                             " and " + b_shape.shape().ToString());
    }
    const std::vector<int64_t> as(a_shape.data<int64_t>(), a_shape.data<int64_t>() + a_shape.num_elements());
    const std::vector<int64_t> bs(b_shape.data<int64_t>(), b_shape.data<int64_t>() + b_shape.num_elements());
    if (as.size() != bs.size()) {
      return InvalidArgument("Operands do not have the same ranks; got shapes: " + JoinVec(as, " ") + " and " +
                             JoinVec(bs, " "));
    }
    for (size_t i = 0; i < as.size(); ++i) {
      if (as[i] != bs[i]) {
        return InvalidArgument("Operands' shapes do not match: got " + std::to_string(as[i]) + " and " +
                               std::to_string(bs[i]) + " for dimension " + std::to_string(i));
      }
    }
    if (thresh.shape().rank() != 0) {
      return InvalidArgument("The magnitude threshold must be a scalar: got shape " + thresh.shape().ToString());
    }
    const int64_t rank = static_cast<int64_t>(as.size());
    if (a_ind.shape().dim(1) != rank || b_ind.shape().dim(1) != rank) {
      return InvalidArgument("Input indices must have " + std::to_string(rank) + " columns (the rank), got " +
                             std::to_string(a_ind.shape().dim(1)) + " and " + std::to_string(b_ind.shape().dim(1)));
    }
    if (a_val.dtype() != b_val.dtype()) return InvalidArgument("a_values and b_values must have the same type");
    const int64_t* ai = a_ind.data<int64_t>();
    const int64_t* bi = b_ind.data<int64_t>();
    // Merge of two row-major sorted index lists: (from a?, row) per output entry.
    std::vector<std::pair<bool, int64_t>> entries;
    entries.reserve(static_cast<size_t>(a_nnz + b_nnz));
    Status status;
    const bool handled = DispatchReal(a_val.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using M = typename MathType<T>::type;
      const T* av = a_val.data<T>();
      const T* bv = b_val.data<T>();
      M th;
      if (thresh.dtype() == DataTypeOf<T>::value) {
        th = Load(thresh.data<T>()[0]);
      } else if (thresh.dtype() == DT_FLOAT) {
        th = static_cast<M>(thresh.data<float>()[0]);
      } else if (thresh.dtype() == DT_DOUBLE) {
        th = static_cast<M>(thresh.data<double>()[0]);
      } else {
        status = InvalidArgument("thresh has type " + DataTypeName(thresh.dtype()) + ", expected " +
                                 DataTypeName(a_val.dtype()));
        return;
      }
      std::vector<M> sums;
      sums.reserve(entries.capacity());
      int64_t i = 0, j = 0;
      while (i < a_nnz && j < b_nnz) {
        const int c = CompareRows(ai, i, bi, j, rank);
        if (c < 0) {
          entries.emplace_back(true, i);
          sums.push_back(Load(av[i++]));
        } else if (c > 0) {
          entries.emplace_back(false, j);
          sums.push_back(Load(bv[j++]));
        } else {
          const M s = Load(av[i]) + Load(bv[j]);
          if (th <= (s < M(0) ? M(-s) : s)) {
            entries.emplace_back(true, i);
            sums.push_back(s);
          }
          ++i;
          ++j;
        }
      }
      for (; i < a_nnz; ++i) {
        entries.emplace_back(true, i);
        sums.push_back(Load(av[i]));
      }
      for (; j < b_nnz; ++j) {
        entries.emplace_back(false, j);
        sums.push_back(Load(bv[j]));
      }
      const int64_t n = static_cast<int64_t>(entries.size());
      auto out_ind = ctx->AllocateOutput(0, DT_INT64, Shape({n, rank}));
      auto out_val = ctx->AllocateOutput(1, a_val.dtype(), Shape({n}));
      auto out_shape = ctx->AllocateOutput(2, DT_INT64, Shape({rank}));
      if (!out_ind.ok() || !out_val.ok() || !out_shape.ok()) {
        status = !out_ind.ok() ? out_ind.status() : !out_val.ok() ? out_val.status() : out_shape.status();
        return;
      }
      int64_t* oi = out_ind.value().template data<int64_t>();
      T* ov = out_val.value().template data<T>();
      for (int64_t e = 0; e < n; ++e) {
        const int64_t* src = (entries[e].first ? ai : bi) + entries[e].second * rank;
        std::copy(src, src + rank, oi + e * rank);
        ov[e] = Store<T>(sums[e]);
      }
      std::copy(as.begin(), as.end(), out_shape.value().template data<int64_t>());
    });
    if (!handled) return InvalidArgument("SparseAdd does not support " + DataTypeName(a_val.dtype()));
    return status;
  }
};

// ---- SparseTensorDenseAdd -------------------------------------------------------------------------

class SparseTensorDenseAddKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& a_ind = ctx->input(0);
    const Tensor& a_val = ctx->input(1);
    const Tensor& a_shape = ctx->input(2);
    const Tensor& b = ctx->input(3);
    RETURN_IF_ERROR(CheckIndexType(a_ind, "a_indices"));
    RETURN_IF_ERROR(CheckIndexType(a_shape, "a_shape"));
    if (a_ind.shape().rank() != 2) {
      return InvalidArgument("Input a_indices should be a matrix but received shape: " + a_ind.shape().ToString());
    }
    if (a_val.shape().rank() != 1 || a_shape.shape().rank() != 1) {
      return InvalidArgument("Inputs a_values and a_shape should be vectors but received shapes: " +
                             a_val.shape().ToString() + " and " + a_shape.shape().ToString());
    }
    const int64_t nnz = a_ind.shape().dim(0), rank = a_ind.shape().dim(1);
    if (a_val.num_elements() != nnz) {
      return InvalidArgument("Expected " + std::to_string(nnz) + " non-empty input values, got " +
                             std::to_string(a_val.num_elements()));
    }
    if (a_shape.num_elements() != b.shape().rank()) {
      return InvalidArgument("Two operands have different ranks; received: " + std::to_string(a_shape.num_elements()) +
                             " and " + std::to_string(b.shape().rank()));
    }
    if (rank != b.shape().rank()) {
      return InvalidArgument("Input a_indices has " + std::to_string(rank) + " columns, but the rank is " +
                             std::to_string(b.shape().rank()));
    }
    const std::vector<int64_t> as = ReadInt64s(a_shape);
    for (int64_t i = 0; i < rank; ++i) {
      if (as[i] != b.shape().dim(static_cast<int>(i))) {
        return InvalidArgument("Dimension " + std::to_string(i) +
                               " does not equal (no broadcasting is supported): lhs dimension size " +
                               std::to_string(as[i]) + ", rhs dimension size " +
                               std::to_string(b.shape().dim(static_cast<int>(i))));
      }
    }
    if (a_val.dtype() != b.dtype()) return InvalidArgument("a_values and b must have the same type");
    const std::vector<int64_t> idx = ReadInt64s(a_ind);
    RETURN_IF_ERROR(CheckInBounds(idx.data(), nnz, rank, as));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, b.dtype(), b.shape(), 3));
    const bool handled = DispatchReal(b.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* o = out.data<T>();
      if (o != b.data<T>()) std::copy(b.data<T>(), b.data<T>() + b.num_elements(), o);
      const T* v = a_val.data<T>();
      for (int64_t i = 0; i < nnz; ++i) {
        int64_t flat = 0;
        for (int64_t d = 0; d < rank; ++d) flat = flat * as[d] + idx[i * rank + d];
        o[flat] = Store<T>(Load(o[flat]) + Load(v[i]));
      }
    });
    if (!handled) return InvalidArgument("SparseTensorDenseAdd does not support " + DataTypeName(b.dtype()));
    return Status::OK();
  }
};

// ---- SparseReorder -------------------------------------------------------------------------------

class SparseReorderKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& ind = ctx->input(0);
    const Tensor& val = ctx->input(1);
    const Tensor& shape = ctx->input(2);
    RETURN_IF_ERROR(CheckSparseTriple(ind, val, shape));
    const int64_t nnz = ind.shape().dim(0), rank = ind.shape().dim(1);
    const int64_t* idx = ind.data<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(nnz));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t x, int64_t y) { return CompareRows(idx, x, idx, y, rank) < 0; });
    ASSIGN_OR_RETURN(Tensor out_ind, ctx->AllocateOutput(0, DT_INT64, ind.shape()));
    ASSIGN_OR_RETURN(Tensor out_val, ctx->AllocateOutput(1, val.dtype(), val.shape()));
    int64_t* oi = out_ind.data<int64_t>();
    for (int64_t e = 0; e < nnz; ++e) std::copy(idx + order[e] * rank, idx + (order[e] + 1) * rank, oi + e * rank);
    const bool handled = DispatchAllTypes(val.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* v = val.data<T>();
      T* o = out_val.data<T>();
      for (int64_t e = 0; e < nnz; ++e) o[e] = v[order[e]];
    });
    if (!handled) return InvalidArgument("SparseReorder does not support " + DataTypeName(val.dtype()));
    return Status::OK();
  }
};

// ---- SparseReshape -------------------------------------------------------------------------------

class SparseReshapeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& ind = ctx->input(0);
    const Tensor& in_shape_t = ctx->input(1);
    const Tensor& new_shape_t = ctx->input(2);
    RETURN_IF_ERROR(CheckInt64(ind, "Input indices"));
    RETURN_IF_ERROR(CheckInt64(in_shape_t, "Input shape"));
    RETURN_IF_ERROR(CheckInt64(new_shape_t, "Target shape"));
    if (ind.shape().rank() != 2) {
      return InvalidArgument("Input indices should be a matrix but received shape " + ind.shape().ToString());
    }
    if (in_shape_t.shape().rank() != 1) {
      return InvalidArgument("Input shape should be a vector but received shape " + in_shape_t.shape().ToString());
    }
    if (new_shape_t.shape().rank() != 1) {
      return InvalidArgument("Target shape should be a vector but received shape " + new_shape_t.shape().ToString());
    }
    const int64_t nnz = ind.shape().dim(0), in_rank = ind.shape().dim(1);
    if (in_rank != in_shape_t.num_elements()) {
      return InvalidArgument("Input tensor rank must match input shape length: " + std::to_string(in_rank) + " vs. " +
                             std::to_string(in_shape_t.num_elements()));
    }
    const std::vector<int64_t> in_shape(in_shape_t.data<int64_t>(), in_shape_t.data<int64_t>() + in_rank);
    for (int64_t d : in_shape) {
      if (d < 0) return InvalidArgument("Input shape has a negative dimension: " + JoinVec(in_shape));
    }
    ASSIGN_OR_RETURN(Shape in_dense, Shape::Make(in_shape));
    const int64_t dense_size = in_dense.num_elements();
    const int64_t out_rank = new_shape_t.num_elements();
    std::vector<int64_t> out_shape(static_cast<size_t>(out_rank));
    int64_t product = 1;
    int64_t unknown = -1;
    for (int64_t d = 0; d < out_rank; ++d) {
      const int64_t size = new_shape_t.data<int64_t>()[d];
      if (size == -1) {
        if (unknown != -1) {
          return InvalidArgument("only one output dimension may be -1, not both " + std::to_string(unknown) + " and " +
                                 std::to_string(d));
        }
        unknown = d;
        out_shape[d] = 1;
      } else {
        if (size < 0) {
          return InvalidArgument("size " + std::to_string(d) + " must be non-negative, not " + std::to_string(size));
        }
        if (size > 0 && product > INT64_MAX / size) {
          return InvalidArgument("Target shape " + JoinVec(out_shape) + " has too many elements");
        }
        product *= size;
        out_shape[d] = size;
      }
    }
    if (unknown != -1) {
      if (product <= 0) {
        return InvalidArgument(
            "reshape cannot infer the missing input size for an empty tensor unless all specified input sizes are "
            "non-zero");
      }
      const int64_t missing = dense_size / product;
      if (product * missing != dense_size) {
        return InvalidArgument("Input to reshape is a SparseTensor with " + std::to_string(dense_size) +
                               " dense values, but the requested shape requires a multiple of " +
                               std::to_string(product) + ". inputShape=" + JoinVec(in_shape) +
                               " outputShape=" + JoinVec(out_shape));
      }
      out_shape[unknown] = missing;
      product *= missing;
    }
    if (product != dense_size) {
      return InvalidArgument("Input to reshape is a tensor with " + std::to_string(dense_size) +
                             " dense values, but the requested shape has " + std::to_string(product) +
                             ". inputShape=" + JoinVec(in_shape) + " outputShape=" + JoinVec(out_shape));
    }
    const int64_t* idx = ind.data<int64_t>();
    RETURN_IF_ERROR(CheckInBounds(idx, nnz, in_rank, in_shape));
    ASSIGN_OR_RETURN(Tensor out_ind, ctx->AllocateOutput(0, DT_INT64, Shape({nnz, out_rank})));
    ASSIGN_OR_RETURN(Tensor out_shape_t, ctx->AllocateOutput(1, DT_INT64, Shape({out_rank})));
    std::copy(out_shape.begin(), out_shape.end(), out_shape_t.data<int64_t>());
    int64_t* oi = out_ind.data<int64_t>();
    for (int64_t i = 0; i < nnz; ++i) {
      int64_t flat = 0;
      for (int64_t d = 0; d < in_rank; ++d) flat = flat * in_shape[d] + idx[i * in_rank + d];
      for (int64_t d = out_rank - 1; d >= 0; --d) {
        oi[i * out_rank + d] = out_shape[d] > 0 ? flat % out_shape[d] : 0;
        if (out_shape[d] > 0) flat /= out_shape[d];
      }
    }
    return Status::OK();
  }
};

void RegisterSparseKernels(OpRegistry* r) {
  const std::vector<DataType> real = kRealNumberTypes;
  r->RegisterOp({"SparseToDense", FixedArity(4, 1)});
  r->RegisterKernel("SparseToDense", "T", kAllTypes, MakeFactory<SparseToDenseKernel>());
  r->RegisterOp({"SparseTensorDenseMatMul", FixedArity(4, 1)});
  r->RegisterKernel("SparseTensorDenseMatMul", "T", {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_HALF},
                    MakeFactory<SparseTensorDenseMatMulKernel>());
  r->RegisterOp({"SparseReduceSum", FixedArity(4, 1)});
  r->RegisterKernel("SparseReduceSum", "T", real, MakeFactory<SparseReduceSumKernel>());
  r->RegisterOp({"SparseAdd", FixedArity(7, 3)});
  r->RegisterKernel("SparseAdd", "T", real, MakeFactory<SparseAddKernel>());
  r->RegisterOp({"SparseTensorDenseAdd", FixedArity(4, 1)});
  r->RegisterKernel("SparseTensorDenseAdd", "T", real, MakeFactory<SparseTensorDenseAddKernel>());
  r->RegisterOp({"SparseReorder", FixedArity(3, 2)});
  r->RegisterKernel("SparseReorder", "T", kAllTypes, MakeFactory<SparseReorderKernel>());
  r->RegisterOp({"SparseReshape", FixedArity(3, 2)});
  r->RegisterKernel("SparseReshape", "", {}, MakeFactory<SparseReshapeKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterSparseKernels);

}  // namespace graphrt
