#include "graphrt/kernels/registry.h"

#include <algorithm>
#include <mutex>

#include "graphrt/kernels/attrs.h"

namespace graphrt {

const std::vector<DataType> kRealNumberTypes = {DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_INT8,
                                                DT_INT16, DT_UINT8,  DT_UINT16, DT_HALF};
const std::vector<DataType> kAllTypes = {DT_FLOAT, DT_DOUBLE, DT_INT32,  DT_INT64, DT_INT8, DT_INT16,
                                         DT_UINT8, DT_UINT16, DT_HALF, DT_BOOL,  DT_STRING};

namespace {
std::vector<void (*)(OpRegistry*)>& Families() {
  static auto* families = new std::vector<void (*)(OpRegistry*)>();
  return *families;
}
}  // namespace

bool AddKernelFamily(void (*register_fn)(OpRegistry*)) {
  Families().push_back(register_fn);
  return true;
}

OpRegistry& OpRegistry::Global() {
  // Static initializers have all run by the time anything asks for the registry.
  static OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    for (auto fn : Families()) fn(r);
    return r;
  }();
  return *registry;
}

void OpRegistry::RegisterOp(OpDef def) {
  std::string name = def.name;
  ops_[name] = std::move(def);
}

void OpRegistry::RegisterKernel(const std::string& op, const std::string& type_attr, std::vector<DataType> types,
                                KernelFactory factory) {
  kernels_[op].push_back(KernelEntry{type_attr, std::move(types), std::move(factory)});
}

const OpDef* OpRegistry::LookupOp(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::OpNames() const {
  std::vector<std::string> names;
  for (const auto& kv : ops_) names.push_back(kv.first);
  return names;
}

std::vector<DataType> OpRegistry::KernelTypes(const std::string& op, bool* any_type) const {
  std::vector<DataType> types;
  *any_type = false;
  auto it = kernels_.find(op);
  if (it == kernels_.end()) return types;
  for (const KernelEntry& e : it->second) {
    if (e.type_attr.empty()) *any_type = true;
    for (DataType dt : e.types) {
      if (std::find(types.begin(), types.end(), dt) == types.end()) types.push_back(dt);
    }
  }
  return types;
}

StatusOr<std::unique_ptr<OpKernel>> OpRegistry::CreateKernel(const NodeDef& node, const KernelEnv& env) const {
  auto it = kernels_.find(node.op);
  if (it == kernels_.end()) {
    return Status(Code::kNotFound, "No kernel registered for op '" + node.op + "'", node.name);
  }
  std::string seen_type;
  for (const KernelEntry& e : it->second) {
    if (e.type_attr.empty()) return e.factory(node, env);
    auto t = GetTypeAttr(node, e.type_attr);
    if (!t.ok()) return t.status().WithNode(node.name);
    for (DataType dt : e.types) {
      if (dt == t.value()) return e.factory(node, env);
    }
    seen_type = DataTypeName(t.value());
  }
  return Status(Code::kInvalidArgument,
                "No kernel for op '" + node.op + "' with " + seen_type + " inputs", node.name);
}

std::function<StatusOr<OpArity>(const NodeDef&)> FixedArity(int inputs, int outputs) {
  return [inputs, outputs](const NodeDef&) -> StatusOr<OpArity> { return OpArity{inputs, outputs}; };
}

std::function<StatusOr<OpArity>(const NodeDef&)> AttrArity(const std::string& attr, int outputs) {
  return [attr, outputs](const NodeDef& node) -> StatusOr<OpArity> {
    ASSIGN_OR_RETURN(int64_t n, GetIntAttr(node, attr));
    if (n < 1 || n > (1 << 20)) {
      return InvalidArgument("NodeDef '" + node.name + "' attr '" + attr + "' must be in [1, 2^20], got " + std::to_string(n));
    }
    return OpArity{static_cast<int>(n), outputs};
  };
}

}  // namespace graphrt
