// Cast between every numeric type, bool and half (float -> int truncates toward zero, as TF does).
#include <cmath>
#include <limits>
#include <type_traits>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {
namespace {

// Float -> integer without undefined behaviour: NaN gives 0, out-of-range values saturate.
template <typename To, typename From>
To ConvertValue(From v) {
  if constexpr (std::is_same<To, bool>::value) {
    return v != From(0);
  } else if constexpr (std::is_floating_point<From>::value && std::is_integral<To>::value) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<From>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

class CastKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(src_, GetTypeAttr(def, "SrcT"));
    ASSIGN_OR_RETURN(dst_, GetTypeAttr(def, "DstT"));
    if (src_ == DT_STRING || dst_ == DT_STRING) {
      return Unimplemented("Cast between string and " + DataTypeName(src_ == DT_STRING ? dst_ : src_) + " is not supported");
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    if (in.dtype() != src_) {
      return InvalidArgument("Cast expected " + DataTypeName(src_) + " input, got " + DataTypeName(in.dtype()));
    }
    if (src_ == dst_) {
      ctx->set_output(0, in);
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, dst_, in.shape(), DataTypeSize(src_) == DataTypeSize(dst_) ? 0 : -1));
    const int64_t n = in.num_elements();
    DispatchNumeric(src_, [&](auto src_tag) {
      using S = decltype(src_tag);
      DispatchNumeric(dst_, [&](auto dst_tag) {
        using D = decltype(dst_tag);
        using SC = typename MathType<S>::type;
        using DC = typename MathType<D>::type;
        const S* ps = in.data<S>();
        D* pd = out.data<D>();
        ForRange(ctx->intra_op(), n, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) pd[i] = Store<D>(ConvertValue<DC, SC>(Load(ps[i])));
        });
      });
    });
    return Status::OK();
  }

 private:
  DataType src_ = DT_INVALID, dst_ = DT_INVALID;
};

}  // namespace

namespace {
void RegisterCastKernels(OpRegistry* r) {
  r->RegisterOp({"Cast", FixedArity(1, 1)});
  r->RegisterKernel("Cast", "", {}, MakeFactory<CastKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterCastKernels);

}  // namespace graphrt
