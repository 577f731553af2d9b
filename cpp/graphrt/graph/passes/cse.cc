#include "graphrt/graph/passes/cse.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace graphrt {
namespace {

constexpr size_t kMaxKeyBytes = size_t{1} << 20;

bool IsCommutative(const NodeDef& def) {
  if (def.op != "Add" && def.op != "AddV2" && def.op != "Mul") return false;
  const DataType dt = NodeDtype(def);
  return dt != DT_STRING && dt != DT_INVALID;
}

// Rough size of a node's attrs: Const values can be large, and are not worth encoding past kMaxKeyBytes.
size_t AttrBytes(const NodeDef& def) {
  size_t total = 0;
  for (const auto& [name, a] : def.attr) {
    const TensorProto& t = a.tensor;
    total += name.size() + a.s.size() + t.tensor_content.size() + 4 * t.float_val.size() + 8 * t.double_val.size() +
             4 * t.int_val.size() + 8 * t.int64_val.size() + t.bool_val.size() + 4 * t.half_val.size();
    for (const std::string& str : t.string_val) total += str.size();
  }
  return total;
}

void AppendRef(std::string* key, const OptRef& r) {
  *key += r.is_feed() ? "f" + std::to_string(r.feed) : std::to_string(r.node) + ":" + std::to_string(r.output);
  *key += ',';
}

}  // namespace

void EliminateCommonSubexpressions(OptGraph* g) {
  std::unordered_map<std::string, int> seen;
  std::map<OptRef, OptRef> forward;  // merged outputs -> their representative's
  for (int id : g->TopoOrder()) {
    OptNode& node = g->nodes[id];
    for (OptRef& in : node.inputs) in = OptGraph::Resolve(forward, in);
    if (g->IsPinned(id) || g->IsStateful(id) || node.num_outputs == 0 || node.graph_id < 0) continue;
    if (node.inputs.empty() && node.def->op != "Const") continue;
    // The key: op, device, attrs (encoded as a NodeDef without name and inputs), then the inputs,
    // which earlier merges have already rewired to their representatives.
    if (AttrBytes(*node.def) > kMaxKeyBytes) continue;
    NodeDef stripped;
    stripped.op = node.def->op;
    stripped.device = node.def->device;
    stripped.attr = node.def->attr;
    std::string key = EncodeNodeDef(stripped);
    if (key.size() > kMaxKeyBytes) continue;
    key += '\x01';
    std::vector<OptRef> inputs = node.inputs;
    if (IsCommutative(*node.def)) std::sort(inputs.begin(), inputs.end());
    for (const OptRef& r : inputs) AppendRef(&key, r);
    auto [it, inserted] = seen.emplace(std::move(key), id);
    if (inserted) continue;
    const int rep = it->second;
    if (g->nodes[rep].num_outputs != node.num_outputs) continue;
    for (int k = 0; k < node.num_outputs; ++k) forward[OptRef{id, k, -1}] = OptRef{rep, k, -1};
    node.dead = true;
    ++g->stats.cse_merged;
  }
  g->ReplaceAllUses(forward);
}

}  // namespace graphrt
