#include "graphrt/graph/passes/opt_graph.h"

#include <algorithm>
#include <unordered_set>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {

bool IsStatefulOpType(const std::string& op, const OpDef* def) {
  if (def != nullptr && def->stateful) return true;
  static const std::unordered_set<std::string>* const kStateful = new std::unordered_set<std::string>{
      "Placeholder", "PlaceholderWithDefault", "PlaceholderV2", "NoOp", "Assert", "Print", "PrintV2",
      "CheckNumerics", "If", "While", "StatelessIf", "StatelessWhile", "PartitionedCall",
      "StatefulPartitionedCall", "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
      "AssignSubVariableOp", "VarIsInitializedOp", "DestroyResourceOp", "Variable", "VariableV2",
      "TemporaryVariable", "DestroyTemporaryVariable", "IsVariableInitialized", "Assign", "AssignAdd",
      "AssignSub", "CountUpTo", "GetSessionHandle", "GetSessionHandleV2", "GetSessionTensor",
      "DeleteSessionTensor", "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal",
      "RandomShuffle", "Multinomial", "RandomGamma", "RandomPoisson", "RandomPoissonV2",
      "ParameterizedTruncatedNormal", "SaveV2", "RestoreV2", "MergeV2Checkpoints", "Save", "Restore",
      "RestoreSlice", "SaveSlices", "Timestamp", "DecodeCSV"};
  if (kStateful->count(op)) return true;
  // Families: resource and ref-variable updates, queues, readers, stacks and tensor arrays.
  for (const char* prefix : {"Resource", "Scatter", "Apply", "SparseApply", "Queue", "Reader", "Stack",
                             "TensorArray", "Random", "Stateful"}) {
    if (op.rfind(prefix, 0) == 0) return true;
  }
  for (const char* suffix : {"QueueV2", "ReaderV2", "Queue", "Reader"}) {
    const size_t n = std::char_traits<char>::length(suffix);
    if (op.size() >= n && op.compare(op.size() - n, n, suffix) == 0) return true;
  }
  return false;
}

DataType NodeDtype(const NodeDef& def) {
  for (const char* attr : {"T", "dtype"}) {
    const AttrValue* a = FindAttr(def, attr);
    if (a != nullptr && a->kind == AttrValue::Kind::kType) return a->type;
  }
  return DT_INVALID;
}

int OptGraph::AddNode(OptNode node) {
  nodes.push_back(std::move(node));
  pinned_.push_back(0);
  const_values_.emplace_back();
  const_checked_.push_back(0);
  return static_cast<int>(nodes.size()) - 1;
}

void OptGraph::ReplaceAllUses(const OptRef& from, const OptRef& to) {
  for (OptNode& n : nodes) {
    if (n.dead) continue;
    for (OptRef& in : n.inputs) {
      if (in == from) in = to;
    }
  }
  for (OptRef& f : fetches) {
    if (f == from) f = to;
  }
}

OptRef OptGraph::Resolve(const std::map<OptRef, OptRef>& forward, OptRef r) {
  for (size_t hops = 0; hops <= forward.size(); ++hops) {
    auto it = forward.find(r);
    if (it == forward.end()) break;
    r = it->second;
  }
  return r;
}

void OptGraph::ReplaceAllUses(const std::map<OptRef, OptRef>& forward) {
  if (forward.empty()) return;
  for (OptNode& n : nodes) {
    if (n.dead) continue;
    for (OptRef& in : n.inputs) in = Resolve(forward, in);
  }
  for (OptRef& f : fetches) f = Resolve(forward, f);
}

bool OptGraph::IsStateful(int n) const {
  const OptNode& node = nodes[n];
  if (node.graph_id < 0) return false;  // synthesized: Const values and fused pure math
  return IsStatefulOpType(node.def->op, node.op);
}

bool OptGraph::IsFetched(const OptRef& t) const {
  return std::find(fetches.begin(), fetches.end(), t) != fetches.end();
}

void OptGraph::RefreshPinned() {
  pinned_.assign(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    if (!nodes[i].control_inputs.empty()) pinned_[i] = 1;
    for (int c : nodes[i].control_inputs) pinned_[c] = 1;
  }
  for (int t : targets) pinned_[t] = 1;
  const_values_.resize(nodes.size());
  const_checked_.resize(nodes.size(), 0);
}

std::vector<int> OptGraph::TopoOrder() const {
  const int n = static_cast<int>(nodes.size());
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> succ(n);
  for (int i = 0; i < n; ++i) {
    if (nodes[i].dead) continue;
    for (const OptRef& in : nodes[i].inputs) {
      if (in.is_feed()) continue;
      ++pending[i];
      succ[in.node].push_back(i);
    }
    for (int c : nodes[i].control_inputs) {
      ++pending[i];
      succ[c].push_back(i);
    }
  }
  // Ready nodes in index order, so the original (already topological) order is kept where possible.
  std::vector<int> order, ready;
  for (int i = n - 1; i >= 0; --i) {
    if (!nodes[i].dead && pending[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    int id = ready.back();
    ready.pop_back();
    order.push_back(id);
    for (auto it = succ[id].rbegin(); it != succ[id].rend(); ++it) {
      if (--pending[*it] == 0) ready.push_back(*it);
    }
  }
  return order;
}

std::vector<std::vector<std::pair<int, int>>> OptGraph::Consumers() const {
  std::vector<std::vector<std::pair<int, int>>> out(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    for (size_t k = 0; k < nodes[i].inputs.size(); ++k) {
      const OptRef& in = nodes[i].inputs[k];
      if (!in.is_feed()) out[in.node].emplace_back(static_cast<int>(i), static_cast<int>(k));
    }
  }
  return out;
}

void OptGraph::RemoveDeadNodes() {
  const int n = static_cast<int>(nodes.size());
  std::vector<char> live(n, 0);
  std::vector<int> stack;
  auto mark = [&](int i) {
    if (i >= 0 && !live[i] && !nodes[i].dead) {
      live[i] = 1;
      stack.push_back(i);
    }
  };
  for (const OptRef& f : fetches) {
    if (!f.is_feed()) mark(f.node);
  }
  for (int t : targets) mark(t);
  for (int i = 0; i < n; ++i) {
    if (nodes[i].dead) continue;
    // Stateful and control-ordered nodes always stay: they ran before the passes, they run after.
    if (IsStateful(i) || !nodes[i].control_inputs.empty()) mark(i);
  }
  while (!stack.empty()) {
    int i = stack.back();
    stack.pop_back();
    for (const OptRef& in : nodes[i].inputs) {
      if (!in.is_feed()) mark(in.node);
    }
    for (int c : nodes[i].control_inputs) mark(c);
  }
  for (int i = 0; i < n; ++i) {
    if (!nodes[i].dead && !live[i]) {
      nodes[i].dead = true;
      ++stats.dead_removed;
    }
  }
}

const Tensor* OptGraph::ConstValue(int n) {
  if (n < 0 || n >= static_cast<int>(nodes.size())) return nullptr;
  const OptNode& node = nodes[n];
  if (node.dead || pinned_[n] || node.def->op != "Const" || node.num_outputs != 1) return nullptr;
  if (!const_checked_[n]) {
    const_checked_[n] = 1;
    std::shared_ptr<OpKernel> kernel = node.kernel;
    if (!kernel && node.graph_id >= 0) {
      auto k = KernelFor(node.graph_id);
      if (k.ok()) kernel = k.value();
    }
    if (kernel) {
      std::vector<Tensor> inputs, outputs(1);
      OpKernelContext ctx(&inputs, &outputs, nullptr);
      if (kernel->Compute(&ctx).ok() && outputs[0].initialized()) {
        const_values_[n] = std::make_unique<Tensor>(std::move(outputs[0]));
      }
    }
  }
  return const_values_[n].get();
}

}  // namespace graphrt
