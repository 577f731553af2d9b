#include "graphrt/kernels/tensor_format.h"

#include <sstream>

#include "graphrt/kernels/elementwise_util.h"

namespace graphrt {
namespace {

std::string Element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DT_STRING: return t.data<std::string>()[i];
    case DT_BOOL: return t.data<bool>()[i] ? "1" : "0";
    case DT_INT8: return std::to_string(int(t.data<int8_t>()[i]));
    case DT_UINT8: return std::to_string(int(t.data<uint8_t>()[i]));
    default: break;
  }
  std::ostringstream os;
  DispatchNumeric(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    os << Load(t.data<T>()[i]);
  });
  return os.str();
}

int64_t Stride(const Shape& s, int dim) {
  int64_t stride = 1;
  for (int d = dim + 1; d < s.rank(); ++d) stride *= s.dim(d);
  return stride;
}

// Returns false once the element budget is spent (after writing "...").
// The outermost dimension gets no brackets: callers wrap the whole value in [] (TF's format).
bool Summarize(const Tensor& t, int dim, int64_t offset, int64_t* budget, std::string* out) {
  const Shape& s = t.shape();
  const int64_t stride = Stride(s, dim);
  const char* open = dim == 0 ? "" : "[";
  const char* close = dim == 0 ? "" : "]";
  *out += open;
  for (int64_t i = 0; i < s.dim(dim); ++i) {
    if (dim + 1 == s.rank()) {
      if (*budget == 0) {
        *out += "...";
        *out += close;
        return false;
      }
      if (i > 0) *out += " ";
      *out += Element(t, offset + i);
      if (*budget > 0) --*budget;
    } else if (!Summarize(t, dim + 1, offset + i * stride, budget, out)) {
      *out += close;
      return false;
    }
  }
  *out += close;
  return true;
}

void Format(const Tensor& t, int dim, int64_t offset, int64_t summarize, std::string* out) {
  const Shape& s = t.shape();
  const int64_t n = s.dim(dim);
  const int64_t stride = Stride(s, dim);
  const bool elide = summarize >= 0 && n > 2 * summarize;
  const bool last = dim + 1 == s.rank();
  const std::string row_sep = "\n" + std::string(static_cast<size_t>(dim + 1), ' ');
  *out += "[";
  for (int64_t i = 0; i < n; ++i) {
    if (elide && i == summarize) {
      *out += last ? " ..." : row_sep + "...";
      i = n - summarize - 1;
      continue;
    }
    if (i > 0) *out += last ? " " : row_sep;
    if (last) {
      *out += Element(t, offset + i);
    } else {
      Format(t, dim + 1, offset + i * stride, summarize, out);
    }
  }
  *out += "]";
}

}  // namespace

std::string SummarizeTensor(const Tensor& t, int64_t max_entries) {
  if (t.shape().rank() == 0) return Element(t, 0);
  std::string out;
  int64_t budget = max_entries < 0 ? -1 : max_entries;
  Summarize(t, 0, 0, &budget, &out);
  return out;
}

std::string FormatTensor(const Tensor& t, int64_t summarize) {
  if (t.shape().rank() == 0) return Element(t, 0);
  std::string out;
  Format(t, 0, 0, summarize, &out);
  return out;
}

}  // namespace graphrt
