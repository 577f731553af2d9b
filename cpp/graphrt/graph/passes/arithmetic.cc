#include "graphrt/graph/passes/arithmetic.h"

#include <map>

#include "graphrt/kernels/elementwise_util.h"
#include "graphrt/kernels/kernel_util.h"

namespace graphrt {
namespace {

// Whether `t` is a rank-0 numeric tensor of dtype `dt` equal to `value` (0 or 1).
bool IsScalarValue(const Tensor* t, DataType dt, int value) {
  if (t == nullptr || t->dtype() != dt || t->shape().rank() != 0 || dt == DT_BOOL) return false;
  bool match = false;
  DispatchNumeric(dt, [&](auto tag) {
    using T = decltype(tag);
    match = Load(t->data<T>()[0]) == static_cast<typename MathType<T>::type>(value);
  });
  return match;
}

// A Const permutation vector, or empty.
std::vector<int64_t> ConstPerm(OptGraph* g, const OptRef& r) {
  if (r.is_feed()) return {};
  const Tensor* t = g->ConstValue(r.node);
  if (t == nullptr || t->shape().rank() != 1) return {};
  auto v = ReadIndexVector(*t, "perm");
  if (!v.ok()) return {};
  const int64_t n = static_cast<int64_t>(v->size());
  std::vector<char> seen(n, 0);
  for (int64_t p : v.value()) {
    if (p < 0 || p >= n || seen[p]) return {};
    seen[p] = 1;
  }
  return v.value();
}

}  // namespace

void SimplifyArithmetic(OptGraph* g) {
  std::map<OptRef, OptRef> forward;
  // A node whose value may be looked through: live, unpinned, stateless, original.
  auto transparent = [&](const OptRef& r) {
    return !r.is_feed() && !g->nodes[r.node].dead && !g->IsPinned(r.node) && !g->IsStateful(r.node);
  };
  for (int id : g->TopoOrder()) {
    OptNode& node = g->nodes[id];
    for (OptRef& in : node.inputs) in = OptGraph::Resolve(forward, in);
    if (g->IsPinned(id) || g->IsStateful(id) || node.graph_id < 0) continue;
    const std::string& op = node.def->op;
    const OptRef self{id, 0, -1};
    if ((op == "Identity" || op == "StopGradient" || op == "Snapshot") && node.inputs.size() == 1) {
      forward[self] = node.inputs[0];
      ++g->stats.arithmetic_simplified;
      continue;
    }
    if (node.inputs.size() == 2 && (op == "Add" || op == "AddV2" || op == "Sub" || op == "Mul" || op == "RealDiv" ||
                                    op == "Div")) {
      const DataType dt = NodeDtype(*node.def);
      if (dt == DT_INVALID || dt == DT_STRING) continue;
      const OptRef& a = node.inputs[0];
      const OptRef& b = node.inputs[1];
      const Tensor* ca = a.is_feed() ? nullptr : g->ConstValue(a.node);
      const Tensor* cb = b.is_feed() ? nullptr : g->ConstValue(b.node);
      const bool add = op == "Add" || op == "AddV2";
      const bool mul = op == "Mul";
      const bool div = op == "RealDiv" || op == "Div";
      OptRef keep;
      bool simplify = false;
      if ((add || op == "Sub") && IsScalarValue(cb, dt, 0)) {
        keep = a;  // x + 0, x - 0
        simplify = true;
      } else if (add && IsScalarValue(ca, dt, 0)) {
        keep = b;  // 0 + x
        simplify = true;
      } else if ((mul || div) && IsScalarValue(cb, dt, 1)) {
        keep = a;  // x * 1, x / 1
        simplify = true;
      } else if (mul && IsScalarValue(ca, dt, 1)) {
        keep = b;  // 1 * x
        simplify = true;
      }
      if (simplify) {
        forward[self] = keep;
        ++g->stats.arithmetic_simplified;
      }
      continue;
    }
    if (op == "Transpose" && node.inputs.size() == 2 && transparent(node.inputs[0]) &&
        g->nodes[node.inputs[0].node].def->op == "Transpose" && node.inputs[0].output == 0) {
      const OptNode& inner = g->nodes[node.inputs[0].node];
      if (inner.inputs.size() != 2) continue;
      std::vector<int64_t> p = ConstPerm(g, inner.inputs[1]);
      std::vector<int64_t> q = ConstPerm(g, node.inputs[1]);
      if (p.empty() || p.size() != q.size()) continue;
      // out[j] = inner dim q[j] = x dim p[q[j]].
      bool identity = true;
      for (size_t j = 0; j < q.size(); ++j) identity &= p[q[j]] == static_cast<int64_t>(j);
      if (identity) {
        forward[self] = inner.inputs[0];
        ++g->stats.arithmetic_simplified;
      }
      continue;
    }
    if (op == "Reshape" && node.inputs.size() == 2 && transparent(node.inputs[0]) &&
        g->nodes[node.inputs[0].node].def->op == "Reshape" && node.inputs[0].output == 0) {
      const OptNode& inner = g->nodes[node.inputs[0].node];
      if (inner.inputs.size() != 2) continue;
      node.inputs[0] = inner.inputs[0];
      ++g->stats.arithmetic_simplified;
      continue;
    }
  }
  g->ReplaceAllUses(forward);
  g->RemoveDeadNodes();
}

}  // namespace graphrt
