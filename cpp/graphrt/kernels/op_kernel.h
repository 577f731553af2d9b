// OpKernel and OpKernelContext: what a kernel sees of a step. Kernels know nothing of sessions.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"
#include "graphrt/runtime/threadpool.h"

namespace graphrt {

class FunctionLibrary;
class ResourceMgr;

// What a kernel may know of where it was created: the function library of its graph (for kernels
// such as If/While that run function bodies) and the session's resources (for Variables).
struct KernelEnv {
  const FunctionLibrary* functions = nullptr;
  ResourceMgr* resources = nullptr;
};

// What stops a step early (session close, RunOptions.timeout_in_ms, KeyboardInterrupt). Check()
// returns the reason once the step should stop; long-running kernels call it between units of work.
class StepControl {
 public:
  virtual ~StepControl() = default;
  virtual Status Check() const = 0;
};

class OpKernelContext {
 public:
  OpKernelContext(std::vector<Tensor>* inputs, std::vector<Tensor>* outputs, ThreadPool* intra_op,
                  const StepControl* control = nullptr)
      : inputs_(inputs), outputs_(outputs), intra_op_(intra_op), control_(control) {}

  int num_inputs() const { return static_cast<int>(inputs_->size()); }
  const Tensor& input(int i) const { return (*inputs_)[i]; }
  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  void set_output(int i, Tensor t) { (*outputs_)[i] = std::move(t); }

  // A fresh output buffer, or input `reuse_input`'s buffer when that input has the same dtype and
  // element count and this step holds its only reference (never a borrowed feed).
  StatusOr<Tensor> AllocateOutput(int i, DataType dtype, const Shape& shape, int reuse_input = -1);

  ThreadPool* intra_op() const { return intra_op_; }
  const StepControl* control() const { return control_; }
  // OK while the step may go on; Cancelled / DeadlineExceeded once it should stop.
  Status CheckStop() const { return control_ ? control_->Check() : Status::OK(); }

 private:
  std::vector<Tensor>* inputs_;
  std::vector<Tensor>* outputs_;
  ThreadPool* intra_op_;
  const StepControl* control_;
};

class OpKernel {
 public:
  explicit OpKernel(const NodeDef& def) : name_(def.name), type_(def.op) {}
  virtual ~OpKernel() = default;
  virtual Status Compute(OpKernelContext* ctx) = 0;
  // Expensive kernels are worth handing to another pool thread when several are ready at once.
  virtual bool expensive() const { return false; }
  // Contraction kernels (MatMul) that can add a per-column bias, then a Relu, in their own output pass
  // (a fused MatMul + BiasAdd (+ Relu)): returns true with the output set, or false, having done
  // nothing, when this input/bias combination is not one they handle that way.
  virtual bool ComputeWithBias(OpKernelContext* ctx, const Tensor& bias, bool relu) { return false; }
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  void set_env(const KernelEnv& env) { env_ = env; }
  const KernelEnv& env() const { return env_; }

 private:
  std::string name_;
  std::string type_;
  KernelEnv env_;
};

// Below this much work (in element-adds), kernels run on one thread.
constexpr int64_t kParallelMinElements = 32768;
// Memory-bound loops (one add per element) split only above this many elements: below it a second
// core buys little bandwidth and the hand-off costs more than it saves.
constexpr int64_t kParallelMinElementsMemoryBound = int64_t{1} << 21;

}  // namespace graphrt
