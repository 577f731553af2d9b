#include "graphrt/kernels/conv_util.h"

#include <cstring>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

StatusOr<std::vector<int64_t>> GetIntListAttr(const NodeDef& node, const std::string& name,
                                              const std::vector<int64_t>& default_value, bool required) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr) {
    if (required) return InvalidArgument("NodeDef '" + node.name + "' (" + node.op + ") is missing list attr '" + name + "'");
    return default_value;
  }
  if (a->kind != AttrValue::Kind::kList) {
    return InvalidArgument("NodeDef '" + node.name + "' attr '" + name + "' must be a list of ints");
  }
  return a->list.i;
}

StatusOr<std::string> GetStringAttr(const NodeDef& node, const std::string& name, const std::string& default_value) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr) return default_value;
  if (a->kind != AttrValue::Kind::kS) {
    return InvalidArgument("NodeDef '" + node.name + "' attr '" + name + "' must be a string");
  }
  return a->s;
}

StatusOr<float> GetFloatAttr(const NodeDef& node, const std::string& name, float default_value) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr) return default_value;
  if (a->kind != AttrValue::Kind::kF) {
    return InvalidArgument("NodeDef '" + node.name + "' attr '" + name + "' must be a float");
  }
  return a->f;
}

StatusOr<bool> ReadDataFormat(const NodeDef& node) {
  ASSIGN_OR_RETURN(std::string f, GetStringAttr(node, "data_format", "NHWC"));
  if (f == "NHWC") return false;
  if (f == "NCHW") return true;
  return InvalidArgument("Invalid data format: " + f);
}

StatusOr<Padding> ReadPadding(const NodeDef& node) {
  ASSIGN_OR_RETURN(std::string p, GetStringAttr(node, "padding", ""));
  if (p == "VALID") return Padding::kValid;
  if (p == "SAME") return Padding::kSame;
  if (p == "EXPLICIT") return Padding::kExplicit;
  return InvalidArgument("Invalid padding: '" + p + "'; expected SAME, VALID or EXPLICIT");
}

Status WindowOutputSize(int64_t in, int64_t k, int64_t dilation, int64_t stride, Padding padding,
                        int64_t explicit_before, int64_t explicit_after, int64_t* out, int64_t* pad_before) {
  if (stride <= 0) return InvalidArgument("Stride must be > 0, but got " + std::to_string(stride));
  if (dilation <= 0) return InvalidArgument("Dilation rate must be >= 1, but got " + std::to_string(dilation));
  if (k < 0) return InvalidArgument("Window size must be >= 0, but got " + std::to_string(k));
  constexpr int64_t kMax = int64_t{1} << 40;
  if (in > kMax || k > kMax || dilation > kMax || stride > kMax || explicit_before > kMax || explicit_after > kMax) {
    return InvalidArgument("Window dimensions are too large");
  }
  const int64_t eff = (k - 1) * dilation + 1;
  switch (padding) {
    case Padding::kValid:
      *out = in >= eff ? (in - eff + stride) / stride : 0;
      *pad_before = 0;
      if (in < eff) {
        return InvalidArgument("Computed output size would be negative: " + std::to_string(in - eff + 1) +
                               " [input_size: " + std::to_string(in) + ", effective_filter_size: " +
                               std::to_string(eff) + ", stride: " + std::to_string(stride) + "]");
      }
      return Status::OK();
    case Padding::kSame: {
      *out = (in + stride - 1) / stride;
      int64_t total = (*out - 1) * stride + eff - in;
      if (total < 0) total = 0;
      *pad_before = total / 2;
      return Status::OK();
    }
    case Padding::kExplicit: {
      if (explicit_before < 0 || explicit_after < 0) return InvalidArgument("Explicit paddings must be non-negative");
      const int64_t padded = in + explicit_before + explicit_after;
      if (padded < eff) {
        return InvalidArgument("Computed output size would be negative: " + std::to_string(padded - eff + 1) +
                               " [input_size: " + std::to_string(in) + ", effective_filter_size: " +
                               std::to_string(eff) + ", stride: " + std::to_string(stride) + "]");
      }
      *out = (padded - eff) / stride + 1;
      *pad_before = explicit_before;
      return Status::OK();
    }
  }
  return InvalidArgument("bad padding");
}

namespace {
template <typename E>
void Transpose3T(const E* in, E* out, int64_t n, int64_t a, int64_t b, ThreadPool* pool) {
  // in [n, a, b] -> out [n, b, a]
  auto body = [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      const E* src = in + i * a * b;
      E* dst = out + i * a * b;
      for (int64_t x = 0; x < a; ++x) {
        for (int64_t y = 0; y < b; ++y) dst[y * a + x] = src[x * b + y];
      }
    }
  };
  if (pool != nullptr && pool->num_threads() > 0 && n > 1 && n * a * b >= kParallelMinElementsMemoryBound / 4) {
    pool->ParallelFor(n, 1, body);
  } else {
    body(0, n);
  }
}

void Transpose3(const void* in, void* out, int64_t n, int64_t a, int64_t b, int elem, ThreadPool* pool) {
  switch (elem) {
    case 1: Transpose3T(static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out), n, a, b, pool); break;
    case 2: Transpose3T(static_cast<const uint16_t*>(in), static_cast<uint16_t*>(out), n, a, b, pool); break;
    case 4: Transpose3T(static_cast<const uint32_t*>(in), static_cast<uint32_t*>(out), n, a, b, pool); break;
    default: Transpose3T(static_cast<const uint64_t*>(in), static_cast<uint64_t*>(out), n, a, b, pool); break;
  }
}
}  // namespace

void NchwToNhwc(const void* in, void* out, int64_t n, int64_t c, int64_t hw, int elem_bytes, ThreadPool* pool) {
  Transpose3(in, out, n, c, hw, elem_bytes, pool);
}

void NhwcToNchw(const void* in, void* out, int64_t n, int64_t c, int64_t hw, int elem_bytes, ThreadPool* pool) {
  Transpose3(in, out, n, hw, c, elem_bytes, pool);
}

Status ReadConvParams(const NodeDef& def, bool allow_explicit, ConvParams* p) {
  ASSIGN_OR_RETURN(p->nchw, ReadDataFormat(def));
  ASSIGN_OR_RETURN(p->padding, ReadPadding(def));
  if (p->padding == Padding::kExplicit && !allow_explicit) {
    return InvalidArgument("EXPLICIT padding is not supported by " + def.op);
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> strides, GetIntListAttr(def, "strides", {}, true));
  if (strides.size() != 4) {
    return InvalidArgument("Sliding window strides field must specify 4 dimensions");
  }
  const int hi = p->nchw ? 2 : 1, wi = p->nchw ? 3 : 2, ci = p->nchw ? 1 : 3;
  if (strides[0] != 1 || strides[ci] != 1) {
    return InvalidArgument("Current implementation does not yet support strides in the batch and depth dimensions.");
  }
  if (strides[hi] <= 0 || strides[wi] <= 0) return InvalidArgument("Strides must be positive");
  p->stride_h = strides[hi];
  p->stride_w = strides[wi];
  ASSIGN_OR_RETURN(std::vector<int64_t> dil, GetIntListAttr(def, "dilations", {1, 1, 1, 1}, false));
  if (dil.size() != 4) return InvalidArgument("Sliding window dilations field must specify 4 dimensions");
  if (dil[0] != 1 || dil[ci] != 1) {
    return InvalidArgument("Current implementation does not yet support dilations in the batch and depth dimensions.");
  }
  if (dil[hi] <= 0 || dil[wi] <= 0) return InvalidArgument("Dilated rates should be larger than 0.");
  p->dil_h = dil[hi];
  p->dil_w = dil[wi];
  ASSIGN_OR_RETURN(std::vector<int64_t> pads, GetIntListAttr(def, "explicit_paddings", {}, false));
  if (p->padding == Padding::kExplicit) {
    if (pads.size() != 8) return InvalidArgument("explicit_paddings attribute must contain 8 values");
    for (int64_t v : pads) {
      if (v < 0) return InvalidArgument("All elements of explicit_paddings must be nonnegative");
    }
    if (pads[0] != 0 || pads[1] != 0 || pads[2 * ci] != 0 || pads[2 * ci + 1] != 0) {
      return InvalidArgument("Nonzero explicit padding in the batch or depth dimensions is not supported");
    }
    p->pad_top = pads[2 * hi];
    p->pad_bottom = pads[2 * hi + 1];
    p->pad_left = pads[2 * wi];
    p->pad_right = pads[2 * wi + 1];
  } else if (!pads.empty()) {
    return InvalidArgument("explicit_paddings attribute must be empty if the padding attribute is not EXPLICIT");
  }
  return Status::OK();
}

Dims4 ReadDims(const Shape& s, bool nchw) {
  return nchw ? Dims4{s.dim(0), s.dim(2), s.dim(3), s.dim(1)} : Dims4{s.dim(0), s.dim(1), s.dim(2), s.dim(3)};
}
Shape MakeShape(const Dims4& d, bool nchw) {
  return nchw ? Shape({d.n, d.c, d.h, d.w}) : Shape({d.n, d.h, d.w, d.c});
}

}  // namespace graphrt
