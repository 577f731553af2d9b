#include "graphrt/graph/passes/elementwise_fusion.h"

#include <algorithm>
#include <map>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/fused_kernels.h"

namespace graphrt {
namespace {

constexpr int kMaxGroupOps = 32;
constexpr int kMaxGroupLeaves = 16;

}  // namespace

void FuseElementwise(OptGraph* g, const PassOptions& options) {
  const std::vector<int> order = g->TopoOrder();
  const int n = static_cast<int>(g->nodes.size());
  std::vector<int> pos(n, -1);
  for (size_t i = 0; i < order.size(); ++i) pos[order[i]] = static_cast<int>(i);
  const auto consumers = g->Consumers();
  auto dtype_of = [&](int id) -> DataType {
    const OptNode& node = g->nodes[id];
    if (node.dead || node.graph_id < 0 || node.num_outputs != 1 || g->IsPinned(id) || g->IsStateful(id)) {
      return DT_INVALID;
    }
    if (!IsFusibleElementwiseOp(node.def->op, static_cast<int>(node.inputs.size()))) return DT_INVALID;
    const DataType dt = NodeDtype(*node.def);
    return dt == DT_FLOAT || dt == DT_DOUBLE ? dt : DT_INVALID;
  };
  std::vector<char> assigned(n, 0), in_group(n, 0);
  std::map<OptRef, OptRef> forward;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int root = *it;
    if (assigned[root]) continue;
    const DataType dt = dtype_of(root);
    if (dt == DT_INVALID) continue;
    std::vector<int> group{root};
    in_group[root] = 1;
    // Leaves the group would have: grows only while under kMaxGroupLeaves.
    auto count_leaves = [&](int extra) {
      std::vector<OptRef> leaves;
      auto add = [&](int m) {
        for (const OptRef& in : g->nodes[m].inputs) {
          if ((!in.is_feed() && (in_group[in.node] || in.node == extra))) continue;
          if (std::find(leaves.begin(), leaves.end(), in) == leaves.end()) leaves.push_back(in);
        }
      };
      for (int m : group) add(m);
      if (extra >= 0) add(extra);
      return static_cast<int>(leaves.size());
    };
    bool changed = true;
    while (changed && static_cast<int>(group.size()) < kMaxGroupOps) {
      changed = false;
      for (size_t gi = 0; gi < group.size() && static_cast<int>(group.size()) < kMaxGroupOps; ++gi) {
        const std::vector<OptRef> inputs = g->nodes[group[gi]].inputs;
        for (const OptRef& in : inputs) {
          if (in.is_feed()) continue;
          const int p = in.node;
          if (in_group[p] || assigned[p] || dtype_of(p) != dt) continue;
          bool all_in = true;
          for (const auto& [c, idx] : consumers[p]) all_in &= in_group[c] != 0;
          if (!all_in || count_leaves(p) > kMaxGroupLeaves) continue;
          group.push_back(p);
          in_group[p] = 1;
          changed = true;
        }
      }
    }
    std::sort(group.begin(), group.end(), [&](int a, int b) { return pos[a] < pos[b]; });
    // A fetched member becomes an extra output, available only when the whole fused node has run. So
    // that it is never later than unfused (partial_run fetches values before feeding the rest), it
    // must depend on every input of the group; otherwise it leaves the group with its ancestors
    // there (which may then form a group of their own).
    while (group.size() > 1) {
      // Leaves that may arrive late: anything but an unpinned Const (always ready).
      auto is_const = [&](const OptRef& r) {
        return !r.is_feed() && g->nodes[r.node].def->op == "Const" && g->nodes[r.node].control_inputs.empty();
      };
      std::map<OptRef, int> leaf_index;
      std::map<int, std::vector<char>> deps;
      for (int m : group) {
        for (const OptRef& in : g->nodes[m].inputs) {
          if ((!in.is_feed() && in_group[in.node]) || is_const(in)) continue;
          leaf_index.emplace(in, static_cast<int>(leaf_index.size()));
        }
      }
      std::vector<int> bad;
      for (int m : group) {
        std::vector<char> d(leaf_index.size(), 0);
        for (const OptRef& in : g->nodes[m].inputs) {
          if (!in.is_feed() && in_group[in.node]) {
            const std::vector<char>& src = deps[in.node];
            for (size_t l = 0; l < d.size(); ++l) d[l] |= src[l];
          } else if (!is_const(in)) {
            d[leaf_index[in]] = 1;
          }
        }
        if (m != root && g->IsFetched(OptRef{m, 0, -1}) &&
            std::find(d.begin(), d.end(), 0) != d.end()) {
          bad.push_back(m);
        }
        deps[m] = std::move(d);
      }
      if (bad.empty()) break;
      std::vector<char> drop(n, 0);
      while (!bad.empty()) {
        const int m = bad.back();
        bad.pop_back();
        if (drop[m]) continue;
        drop[m] = 1;
        for (const OptRef& in : g->nodes[m].inputs) {
          if (!in.is_feed() && in_group[in.node]) bad.push_back(in.node);
        }
      }
      std::vector<int> kept;
      for (int m : group) {
        if (drop[m]) {
          in_group[m] = 0;
        } else {
          kept.push_back(m);
        }
      }
      group.swap(kept);
    }
    for (int m : group) {
      assigned[m] = 1;
      in_group[m] = 0;
    }
    if (group.size() < 2) continue;

    FusedElementwiseSpec spec;
    spec.dtype = dt;
    spec.reuse_inputs = options.memory_optimization;
    std::vector<OptRef> leaves;
    std::map<int, int> op_index;
    for (size_t k = 0; k < group.size(); ++k) op_index[group[k]] = static_cast<int>(k);
    for (int m : group) {
      for (const OptRef& in : g->nodes[m].inputs) {
        if (!in.is_feed() && op_index.count(in.node)) continue;
        if (std::find(leaves.begin(), leaves.end(), in) == leaves.end()) leaves.push_back(in);
      }
    }
    spec.num_leaves = static_cast<int>(leaves.size());
    bool ok = true;
    for (int m : group) {
      const OptNode& node = g->nodes[m];
      FusedElementwiseSpec::Op op;
      op.type = node.def->op;
      op.name = node.def->name;
      for (const OptRef& in : node.inputs) {
        if (!in.is_feed() && op_index.count(in.node)) {
          op.args.push_back(spec.num_leaves + op_index[in.node]);
        } else {
          op.args.push_back(static_cast<int>(std::find(leaves.begin(), leaves.end(), in) - leaves.begin()));
        }
      }
      if (op.type == "LeakyRelu") {
        const AttrValue* a = FindAttr(*node.def, "alpha");
        if (a != nullptr && a->kind == AttrValue::Kind::kF) op.alpha = a->f;
      }
      auto kernel = g->KernelFor(node.graph_id);
      if (!kernel.ok()) {
        ok = false;
        break;
      }
      spec.fallback.push_back(kernel.value());
      spec.ops.push_back(std::move(op));
    }
    if (!ok) continue;
    const int root_index = static_cast<int>(group.size()) - 1;
    spec.outputs.push_back(root_index);
    for (int k = 0; k < root_index; ++k) {
      if (g->IsFetched(OptRef{group[k], 0, -1})) spec.outputs.push_back(k);
    }

    OptNode fused;
    fused.owned_def = std::make_shared<NodeDef>();
    NodeDef& def = *fused.owned_def;
    const OptNode& root_node = g->nodes[group.back()];
    def.name = root_node.def->name;
    def.op = "_FusedElementwise";
    def.device = root_node.def->device;
    AttrValue t;
    t.kind = AttrValue::Kind::kType;
    t.type = dt;
    def.attr["T"] = t;
    AttrValue ops;
    ops.kind = AttrValue::Kind::kList;
    for (const auto& op : spec.ops) ops.list.s.push_back(op.type);
    def.attr["fused_ops"] = ops;
    fused.def = fused.owned_def.get();
    fused.num_outputs = static_cast<int>(spec.outputs.size());
    fused.inputs = leaves;
    const std::vector<int> outputs = spec.outputs;
    fused.kernel = MakeFusedElementwiseKernel(def, std::move(spec));
    const int fid = g->AddNode(std::move(fused));
    for (size_t i = 0; i < outputs.size(); ++i) {
      forward[OptRef{group[outputs[i]], 0, -1}] = OptRef{fid, static_cast<int>(i), -1};
    }
    for (int m : group) g->nodes[m].dead = true;
    ++g->stats.elementwise_groups;
    g->stats.elementwise_ops_fused += static_cast<int>(group.size());
  }
  g->ReplaceAllUses(forward);
  g->RefreshPinned();
}

}  // namespace graphrt
