// Op definitions and the kernel registry: (op name, dtype of its type attr) -> kernel factory.
// Each kernel family (one .cc file) registers itself with GRAPHRT_REGISTER_KERNELS(fn): fn runs when
// the registry is first used. The core is built as an OBJECT library, so every family's object
// file is linked and its registrar runs.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

struct OpArity {
  int num_inputs;   // data inputs
  int num_outputs;
};

struct OpDef {
  std::string name;
  // Data input and output counts for this node (variadic ops read them from attrs such as N).
  std::function<StatusOr<OpArity>(const NodeDef&)> arity;
  bool stateful = false;  // never pruned by CSE/constant folding, never cached
};

using KernelFactory = std::function<StatusOr<std::unique_ptr<OpKernel>>(const NodeDef&, const KernelEnv&)>;

class OpRegistry {
 public:
  static OpRegistry& Global();

  void RegisterOp(OpDef def);
  // The kernel serves nodes whose attr `type_attr` is one of `types` (any node when type_attr is "").
  void RegisterKernel(const std::string& op, const std::string& type_attr, std::vector<DataType> types,
                      KernelFactory factory);

  const OpDef* LookupOp(const std::string& name) const;
  StatusOr<std::unique_ptr<OpKernel>> CreateKernel(const NodeDef& node, const KernelEnv& env = KernelEnv()) const;
  std::vector<std::string> OpNames() const;
  // The dtypes an op's kernels serve (by their type attr); `any_type` is set for kernels that take
  // every type (no type constraint).
  std::vector<DataType> KernelTypes(const std::string& op, bool* any_type) const;

 private:
  struct KernelEntry {
    std::string type_attr;
    std::vector<DataType> types;
    KernelFactory factory;
  };
  std::map<std::string, OpDef> ops_;
  std::map<std::string, std::vector<KernelEntry>> kernels_;
};

// Helpers for op definitions.
std::function<StatusOr<OpArity>(const NodeDef&)> FixedArity(int inputs, int outputs);
// `inputs` data inputs per unit of attr `attr` (e.g. AddN: N inputs, 1 output).
std::function<StatusOr<OpArity>(const NodeDef&)> AttrArity(const std::string& attr, int outputs);

// Template factory for a kernel class constructed from (NodeDef) that may fail via Init().
template <typename K>
KernelFactory MakeFactory() {
  return [](const NodeDef& def, const KernelEnv& env) -> StatusOr<std::unique_ptr<OpKernel>> {
    auto k = std::make_unique<K>(def);
    k->set_env(env);
    Status s = k->Init(def);
    if (!s.ok()) return s.WithNode(def.name);
    return std::unique_ptr<OpKernel>(std::move(k));
  };
}

// Adds a family's registration function to the list OpRegistry::Global() runs on first use.
bool AddKernelFamily(void (*register_fn)(OpRegistry*));
#define GRAPHRT_REGISTER_KERNELS(fn) \
  static const bool GRAPHRT_CONCAT(graphrt_family_registered_, __LINE__) = ::graphrt::AddKernelFamily(fn)

// Type lists.
extern const std::vector<DataType> kRealNumberTypes;  // float, double, int32, int64, int8, int16, uint8, uint16, half
extern const std::vector<DataType> kAllTypes;         // kRealNumberTypes + bool + string

}  // namespace graphrt
