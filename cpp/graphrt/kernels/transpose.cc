// Transpose (and ConjugateTranspose, identical for real types): permutes dimensions. The copy works
// on element bytes (1, 2, 4 or 8) so one loop serves every numeric dtype; strings copy std::string.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

std::string JoinInts(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(v[i]);
  }
  return s;
}

// out[o] = in[src(o)] where out dim d is in dim perm[d]. Rows of the innermost output dim are
// the unit of work; the source offset of each row start comes from an odometer over the outer dims.
template <typename T>
void PermuteCopy(const T* in, T* out, const std::vector<int64_t>& in_dims, const std::vector<int>& perm,
                 ThreadPool* pool) {
  const int rank = static_cast<int>(perm.size());
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * in_dims[i + 1];
  std::vector<int64_t> out_dims(rank), stride(rank);
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) {
    out_dims[d] = in_dims[perm[d]];
    stride[d] = in_strides[perm[d]];
    n *= out_dims[d];
  }
  if (n == 0) return;
  const int64_t inner = out_dims[rank - 1];
  const int64_t inner_stride = stride[rank - 1];
  const int64_t rows = n / inner;
  auto run_rows = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, src = 0;
      for (int d = rank - 2; d >= 0; --d) {
        const int64_t idx = rem % out_dims[d];
        rem /= out_dims[d];
        src += idx * stride[d];
      }
      T* o = out + r * inner;
      const T* s = in + src;
      for (int64_t j = 0; j < inner; ++j) o[j] = s[j * inner_stride];
    }
  };
  if (pool == nullptr || pool->num_threads() == 0 || n < kParallelMinElementsMemoryBound) {
    run_rows(0, rows);
  } else {
    const int64_t min_rows = std::max<int64_t>(1, (kParallelMinElementsMemoryBound / 2) / std::max<int64_t>(inner, 1));
    pool->ParallelFor(rows, min_rows, run_rows);
  }
}

class TransposeKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const Tensor& perm_t = ctx->input(1);
    if (perm_t.shape().rank() != 1) {
      return InvalidArgument("perm must be a vector, not " + perm_t.shape().ToString());
    }
    ASSIGN_OR_RETURN(std::vector<int64_t> perm64, ReadIndexVector(perm_t, "perm"));
    const int rank = in.shape().rank();
    if (static_cast<int64_t>(perm64.size()) != rank) {
      return InvalidArgument("transpose expects a vector of size " + std::to_string(rank) +
                             ". But input(1) is a vector of size " + std::to_string(perm64.size()));
    }
    std::vector<int> perm(rank);
    std::vector<bool> seen(rank, false);
    for (int i = 0; i < rank; ++i) {
      const int64_t d = perm64[i];
      if (d < 0 || d >= rank) {
        return InvalidArgument(std::to_string(d) + " is out of range [0 .. " + std::to_string(rank) + ")");
      }
      seen[d] = true;
      perm[i] = static_cast<int>(d);
    }
    bool identity = true;
    for (int i = 0; i < rank; ++i) {
      if (!seen[i]) return InvalidArgument(std::to_string(i) + " is missing from {" + JoinInts(perm64) + "}.");
      if (perm[i] != i) identity = false;
    }
    std::vector<int64_t> out_dims(rank);
    for (int d = 0; d < rank; ++d) out_dims[d] = in.shape().dim(perm[d]);
    // Moving only size-1 dims keeps the element order: share the buffer.
    std::vector<int> non_unit;
    for (int d = 0; d < rank; ++d) {
      if (out_dims[d] != 1) non_unit.push_back(perm[d]);
    }
    bool order_kept = true;
    for (size_t i = 1; i < non_unit.size(); ++i) {
      if (non_unit[i] < non_unit[i - 1]) order_kept = false;
    }
    if (identity || order_kept || in.num_elements() <= 1) {
      ctx->set_output(0, in.WithShape(Shape(out_dims)));
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, in.dtype(), Shape(out_dims)));
    const std::vector<int64_t>& in_dims = in.shape().dims();
    if (in.dtype() == DT_STRING) {
      PermuteCopy(in.data<std::string>(), out.data<std::string>(), in_dims, perm, ctx->intra_op());
      return Status::OK();
    }
    switch (DataTypeSize(in.dtype())) {
      case 1: PermuteCopy(in.data<uint8_t>(), out.data<uint8_t>(), in_dims, perm, ctx->intra_op()); break;
      case 2: PermuteCopy(in.data<uint16_t>(), out.data<uint16_t>(), in_dims, perm, ctx->intra_op()); break;
      case 4: PermuteCopy(in.data<uint32_t>(), out.data<uint32_t>(), in_dims, perm, ctx->intra_op()); break;
      case 8: PermuteCopy(in.data<uint64_t>(), out.data<uint64_t>(), in_dims, perm, ctx->intra_op()); break;
      default: return InvalidArgument("Transpose does not support " + DataTypeName(in.dtype()));
    }
    return Status::OK();
  }
};

void RegisterTransposeKernels(OpRegistry* r) {
  for (const char* op : {"Transpose", "ConjugateTranspose"}) {
    r->RegisterOp({op, FixedArity(2, 1)});
    r->RegisterKernel(op, "T", kAllTypes, MakeFactory<TransposeKernel>());
  }
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterTransposeKernels);

}  // namespace graphrt
