// Assert, Print, StringFormat, PrintV2 and CheckNumerics: runtime checks and printing.
#include <cmath>
#include <cstdio>
#include <mutex>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/kernels/tensor_format.h"

namespace graphrt {
namespace {

int64_t IntAttrOr(const NodeDef& def, const std::string& name, int64_t fallback) {
  auto v = GetIntAttr(def, name);
  return v.ok() ? v.value() : fallback;
}

std::string StringAttrOr(const NodeDef& def, const std::string& name, const std::string& fallback) {
  const AttrValue* a = FindAttr(def, name);
  return a != nullptr && a->kind == AttrValue::Kind::kS ? a->s : fallback;
}

size_t ListSize(const NodeDef& n, const char* attr) {
  const AttrValue* a = FindAttr(n, attr);
  return a == nullptr ? 0 : a->list.type.size();
}

class AssertKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    summarize_ = IntAttrOr(def, "summarize", 3);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& cond = ctx->input(0);
    if (cond.dtype() != DT_BOOL || cond.num_elements() != 1) {
      return InvalidArgument("In[0] expected to be a bool scalar but got " + cond.DebugString());
    }
    if (cond.data<bool>()[0]) return Status::OK();
    std::string msg = "assertion failed: ";
    for (int i = 1; i < ctx->num_inputs(); ++i) {
      if (i > 1) msg += " ";
      msg += "[" + SummarizeTensor(ctx->input(i), summarize_) + "]";
    }
    return InvalidArgument(msg);
  }

 private:
  int64_t summarize_ = 3;
};

class PrintKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    message_ = StringAttrOr(def, "message", "");
    first_n_ = IntAttrOr(def, "first_n", -1);
    summarize_ = IntAttrOr(def, "summarize", 3);
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, ctx->input(0));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (first_n_ >= 0 && printed_ >= first_n_) return Status::OK();
      ++printed_;
    }
    std::string line = message_;
    for (int i = 1; i < ctx->num_inputs(); ++i) line += "[" + SummarizeTensor(ctx->input(i), summarize_) + "]";
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    return Status::OK();
  }

 private:
  std::string message_;
  int64_t first_n_ = -1, summarize_ = 3;
  std::mutex mu_;
  int64_t printed_ = 0;
};

// Fills `template` placeholders with the inputs' summaries (tf.strings.format / tf.print).
class StringFormatKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    template_ = StringAttrOr(def, "template", "%s");
    placeholder_ = StringAttrOr(def, "placeholder", "%s");
    summarize_ = IntAttrOr(def, "summarize", 3);
    if (placeholder_.empty()) return InvalidArgument("StringFormat placeholder must not be empty");
    size_t count = 0;
    for (size_t p = template_.find(placeholder_); p != std::string::npos; p = template_.find(placeholder_, p + placeholder_.size())) {
      ++count;
    }
    if (count != ListSize(def, "T")) {
      return InvalidArgument("num placeholders in template and num inputs must match: " + std::to_string(count) +
                             " vs. " + std::to_string(ListSize(def, "T")));
    }
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    std::string out;
    size_t pos = 0;
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      size_t p = template_.find(placeholder_, pos);
      out += template_.substr(pos, p - pos);
      const Tensor& t = ctx->input(i);
      out += (t.dtype() == DT_STRING && t.shape().rank() == 0) ? t.data<std::string>()[0] : FormatTensor(t, summarize_);
      pos = p + placeholder_.size();
    }
    out += template_.substr(pos);
    ASSIGN_OR_RETURN(Tensor result, ctx->AllocateOutput(0, DT_STRING, Shape()));
    result.data<std::string>()[0] = std::move(out);
    return Status::OK();
  }

 private:
  std::string template_, placeholder_;
  int64_t summarize_ = 3;
};

class PrintV2Kernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    std::string stream = StringAttrOr(def, "output_stream", "stderr");
    if (stream == "stdout" || stream == "log(info)") {
      out_ = stdout;
    } else if (stream == "stderr" || stream == "log(warning)" || stream == "log(error)") {
      out_ = stderr;
    } else {
      return InvalidArgument("Unknown output stream: " + stream);
    }
    end_ = StringAttrOr(def, "end", "\n");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& s = ctx->input(0);
    if (s.dtype() != DT_STRING || s.num_elements() != 1) return InvalidArgument("Input is expected to be scalar string");
    std::string line = s.data<std::string>()[0] + end_;
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
    return Status::OK();
  }

 private:
  FILE* out_ = stderr;
  std::string end_;
};

class CheckNumericsKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    message_ = StringAttrOr(def, "message", "");
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& t = ctx->input(0);
    bool nan = false, inf = false;
    DispatchNumeric(t.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = typename MathType<T>::type;
      if constexpr (std::is_floating_point<C>::value) {
        const T* p = t.data<T>();
        for (int64_t i = 0; i < t.num_elements(); ++i) {
          C v = Load(p[i]);
          nan |= std::isnan(v);
          inf |= std::isinf(v);
        }
      }
    });
    if (nan || inf) {
      std::string what = nan && inf ? "Inf and NaN" : (nan ? "NaN" : "Inf");
      return InvalidArgument(message_ + " : Tensor had " + what + " values");
    }
    ctx->set_output(0, t);
    return Status::OK();
  }

 private:
  std::string message_;
};

void RegisterDebugKernels(OpRegistry* r) {
  r->RegisterOp({"Assert", [](const NodeDef& n) -> StatusOr<OpArity> {
                   return OpArity{1 + static_cast<int>(ListSize(n, "T")), 0};
                 }, /*stateful=*/true});
  r->RegisterKernel("Assert", "", {}, MakeFactory<AssertKernel>());
  r->RegisterOp({"Print", [](const NodeDef& n) -> StatusOr<OpArity> {
                   return OpArity{1 + static_cast<int>(ListSize(n, "U")), 1};
                 }, /*stateful=*/true});
  r->RegisterKernel("Print", "", {}, MakeFactory<PrintKernel>());
  r->RegisterOp({"StringFormat", [](const NodeDef& n) -> StatusOr<OpArity> {
                   return OpArity{static_cast<int>(ListSize(n, "T")), 1};
                 }});
  r->RegisterKernel("StringFormat", "", {}, MakeFactory<StringFormatKernel>());
  r->RegisterOp({"PrintV2", FixedArity(1, 0), /*stateful=*/true});
  r->RegisterKernel("PrintV2", "", {}, MakeFactory<PrintV2Kernel>());
  r->RegisterOp({"CheckNumerics", FixedArity(1, 1)});
  r->RegisterKernel("CheckNumerics", "T", {DT_FLOAT, DT_DOUBLE, DT_HALF}, MakeFactory<CheckNumericsKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterDebugKernels);

}  // namespace graphrt
