#include "graphrt/kernels/array_util.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {
namespace {

template <typename U>
void CopyRun(const char* src, int64_t src_stride, char* dst, int64_t dst_stride, int64_t n) {
  const U* s = reinterpret_cast<const U*>(src);
  U* d = reinterpret_cast<U*>(dst);
  for (int64_t j = 0; j < n; ++j) d[j * dst_stride] = s[j * src_stride];
}

// One inner run of n elements; strides in elements.
inline void CopyInner(const char* src, int64_t ss, char* dst, int64_t ds, int64_t n, size_t elem) {
  if (ss == 1 && ds == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * elem);
    return;
  }
  switch (elem) {
    case 1: CopyRun<uint8_t>(src, ss, dst, ds, n); break;
    case 2: CopyRun<uint16_t>(src, ss, dst, ds, n); break;
    case 4: CopyRun<uint32_t>(src, ss, dst, ds, n); break;
    case 8: CopyRun<uint64_t>(src, ss, dst, ds, n); break;
    default:
      for (int64_t j = 0; j < n; ++j) std::memcpy(dst + j * ds * elem, src + j * ss * elem, elem);
  }
}

}  // namespace

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> s(shape.rank(), 1);
  for (int i = shape.rank() - 2; i >= 0; --i) s[i] = s[i + 1] * shape.dim(i + 1);
  return s;
}

void StridedCopy(const Tensor& in, int64_t in_offset, std::vector<int64_t> in_strides, const Tensor& out,
                 int64_t out_offset, std::vector<int64_t> out_strides, std::vector<int64_t> dims, ThreadPool* pool) {
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  if (total == 0) return;
  // Drop size-1 dims and merge dims that are contiguous in both views, so the inner run is as long
  // as possible.
  std::vector<int64_t> d2, is2, os2;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == 1) continue;
    if (!d2.empty() && is2.back() == in_strides[k] * dims[k] && os2.back() == out_strides[k] * dims[k]) {
      d2.back() *= dims[k];
      is2.back() = in_strides[k];
      os2.back() = out_strides[k];
    } else {
      d2.push_back(dims[k]);
      is2.push_back(in_strides[k]);
      os2.push_back(out_strides[k]);
    }
  }
  if (d2.empty()) {
    d2 = {1};
    is2 = {1};
    os2 = {1};
  }
  const int rank = static_cast<int>(d2.size());
  const int64_t inner = d2[rank - 1], iss = is2[rank - 1], oss = os2[rank - 1];
  const int64_t rows = total / inner;
  const bool is_string = in.dtype() == DT_STRING;
  const size_t elem = is_string ? 0 : DataTypeSize(in.dtype());
  const char* src = static_cast<const char*>(in.raw());
  char* dst = static_cast<char*>(out.raw());
  const std::string* ssrc = is_string ? in.data<std::string>() : nullptr;
  std::string* sdst = is_string ? out.data<std::string>() : nullptr;

  auto run_rows = [&](int64_t r0, int64_t r1) {
    // Odometer over the outer dims, starting at row r0.
    std::vector<int64_t> idx(rank, 0);
    int64_t rem = r0, ioff = in_offset, ooff = out_offset;
    for (int d = rank - 2; d >= 0; --d) {
      idx[d] = rem % d2[d];
      rem /= d2[d];
      ioff += idx[d] * is2[d];
      ooff += idx[d] * os2[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      if (is_string) {
        for (int64_t j = 0; j < inner; ++j) sdst[ooff + j * oss] = ssrc[ioff + j * iss];
      } else {
        CopyInner(src + ioff * static_cast<int64_t>(elem), iss, dst + ooff * static_cast<int64_t>(elem), oss, inner,
                  elem);
      }
      for (int d = rank - 2; d >= 0; --d) {
        ioff += is2[d];
        ooff += os2[d];
        if (++idx[d] < d2[d]) break;
        ioff -= is2[d] * d2[d];
        ooff -= os2[d] * d2[d];
        idx[d] = 0;
      }
    }
  };
  const int64_t threshold = is_string ? kParallelMinElements : kParallelMinElementsMemoryBound;
  if (pool == nullptr || pool->num_threads() == 0 || total < threshold || rows < 2) {
    run_rows(0, rows);
  } else {
    int64_t min_rows = std::max<int64_t>(1, (threshold / 2) / std::max<int64_t>(inner, 1));
    pool->ParallelFor(rows, min_rows, run_rows);
  }
}

void FillFromElement(const Tensor& out, const Tensor& value, int64_t index, ThreadPool* pool) {
  const int64_t n = out.num_elements();
  if (n == 0) return;
  if (out.dtype() == DT_STRING) {
    const std::string v = value.data<std::string>()[index];
    std::string* o = out.data<std::string>();
    for (int64_t i = 0; i < n; ++i) o[i] = v;
    return;
  }
  const size_t elem = DataTypeSize(out.dtype());
  const char* v = static_cast<const char*>(value.raw()) + index * static_cast<int64_t>(elem);
  char* o = static_cast<char*>(out.raw());
  auto fill = [&](auto tag) {
    using U = decltype(tag);
    U x;
    std::memcpy(&x, v, sizeof(U));
    U* p = reinterpret_cast<U*>(o);
    auto body = [&](int64_t b, int64_t e) { std::fill(p + b, p + e, x); };
    if (pool == nullptr || pool->num_threads() == 0 || n < kParallelMinElementsMemoryBound) {
      body(0, n);
    } else {
      pool->ParallelFor(n, kParallelMinElementsMemoryBound / 2, body);
    }
  };
  switch (elem) {
    case 1: fill(uint8_t{}); break;
    case 2: fill(uint16_t{}); break;
    case 4: fill(uint32_t{}); break;
    case 8: fill(uint64_t{}); break;
    default:
      for (int64_t i = 0; i < n; ++i) std::memcpy(o + i * elem, v, elem);
  }
}

void FillZero(const Tensor& out) {
  if (out.dtype() == DT_STRING) {
    std::string* o = out.data<std::string>();
    for (int64_t i = 0; i < out.num_elements(); ++i) o[i].clear();
    return;
  }
  if (out.num_elements() > 0) std::memset(out.raw(), 0, static_cast<size_t>(out.num_elements()) * DataTypeSize(out.dtype()));
}

StatusOr<std::vector<int64_t>> GetIntListAttrOrEmpty(const NodeDef& def, const std::string& name) {
  const AttrValue* a = FindAttr(def, name);
  if (a == nullptr || a->kind == AttrValue::Kind::kNone) return std::vector<int64_t>{};
  if (a->kind != AttrValue::Kind::kList) {
    return InvalidArgument("NodeDef '" + def.name + "' (" + def.op + ") attr '" + name + "' must be a list(int)");
  }
  return a->list.i;
}

std::function<StatusOr<OpArity>(const NodeDef&)> IntAttrArity(const std::string& attr, bool attr_inputs,
                                                               int extra_inputs, bool attr_outputs, int extra_outputs,
                                                               int64_t min_value) {
  return [=](const NodeDef& node) -> StatusOr<OpArity> {
    ASSIGN_OR_RETURN(int64_t n, GetIntAttr(node, attr));
    if (n < min_value || n > (1 << 20)) {
      return InvalidArgument("NodeDef '" + node.name + "' attr '" + attr + "' must be in [" + std::to_string(min_value) +
                             ", 2^20], got " + std::to_string(n));
    }
    const int k = static_cast<int>(n);
    return OpArity{extra_inputs + (attr_inputs ? k : 0), extra_outputs + (attr_outputs ? k : 0)};
  };
}

}  // namespace graphrt
