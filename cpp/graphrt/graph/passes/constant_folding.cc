#include "graphrt/graph/passes/constant_folding.h"

#include <map>
#include <unordered_set>

#include "graphrt/kernels/kernel_util.h"

namespace graphrt {
namespace {

class ConstantKernel : public OpKernel {
 public:
  ConstantKernel(const NodeDef& def, Tensor value) : OpKernel(def), value_(std::move(value)) {}
  // Shares the buffer, like the Const kernel: the kernel keeps a reference, so no consumer writes
  // into it and a fetch of it is copied.
  Status Compute(OpKernelContext* ctx) override {
    ctx->set_output(0, value_);
    return Status::OK();
  }

 private:
  Tensor value_;
};

// Ops never worth folding: sources (nothing to fold), pass-throughs of control flow, and ops whose
// value depends on anything but their inputs.
bool NeverFold(const std::string& op) {
  static const std::unordered_set<std::string>* const kSkip =
      new std::unordered_set<std::string>{"Const", "IdentityN"};
  return kSkip->count(op) > 0;
}

int64_t ValueBytes(const Tensor& t) {
  if (t.dtype() == DT_STRING) {
    int64_t total = 0;
    const std::string* s = t.data<std::string>();
    for (int64_t i = 0; i < t.num_elements(); ++i) total += static_cast<int64_t>(s[i].size()) + 16;
    return total;
  }
  return static_cast<int64_t>(t.bytes());
}

// Element count an expanding op would produce, from its constant inputs (-1: not known / not such
// an op), so a Fill of a huge shape is refused before anything is allocated.
int64_t ExpandedElements(const std::string& op, const std::vector<Tensor>& in) {
  auto product = [](const Tensor& t) -> int64_t {
    auto dims = ReadIndexVector(t, "shape");
    if (!dims.ok()) return -1;
    int64_t n = 1;
    for (int64_t d : dims.value()) {
      if (d < 0) return -1;
      if (d > 0 && n > (int64_t{1} << 50) / d) return int64_t{1} << 50;
      n *= d;
    }
    return n;
  };
  if (op == "Fill" && in.size() == 2) return product(in[0]);
  if (op == "BroadcastTo" && in.size() == 2) return product(in[1]);
  if (op == "Tile" && in.size() == 2) {
    int64_t m = product(in[1]);
    if (m < 0) return -1;
    const int64_t n = in[0].num_elements();
    if (n > 0 && m > (int64_t{1} << 50) / n) return int64_t{1} << 50;
    return m * n;
  }
  return -1;
}

}  // namespace

std::shared_ptr<OpKernel> MakeConstantKernel(const std::string& name, Tensor value) {
  NodeDef def;
  def.name = name;
  def.op = "Const";
  return std::make_shared<ConstantKernel>(def, std::move(value));
}

void FoldConstants(OptGraph* g, const PassOptions& options) {
  const std::vector<int> order = g->TopoOrder();
  const int n = static_cast<int>(g->nodes.size());
  // Values known at plan time, per node output.
  std::vector<std::vector<Tensor>> values(n);
  std::vector<char> known(n, 0), folded(n, 0);
  const int64_t cap = options.max_folded_constant_bytes;
  ThreadPool serial_pool(0);
  for (int id : order) {
    OptNode& node = g->nodes[id];
    if (g->IsPinned(id)) continue;
    if (node.def->op == "Const") {
      const Tensor* v = g->ConstValue(id);
      if (v != nullptr) {
        values[id] = {*v};
        known[id] = 1;
      }
      continue;
    }
    if (node.graph_id < 0 || g->IsStateful(id) || NeverFold(node.def->op) || node.inputs.empty() ||
        node.num_outputs == 0) {
      continue;
    }
    bool all_known = true;
    std::vector<Tensor> inputs;
    for (const OptRef& in : node.inputs) {
      if (in.is_feed() || !known[in.node]) {
        all_known = false;
        break;
      }
      inputs.push_back(values[in.node][in.output]);
    }
    if (!all_known) continue;
    if (node.def->op == "Identity" || node.def->op == "StopGradient" || node.def->op == "Snapshot") {
      values[id] = std::move(inputs);  // known, but left in place: arithmetic simplification bypasses it
      known[id] = 1;
      continue;
    }
    const DataType dt = NodeDtype(*node.def);
    const int64_t expanded = ExpandedElements(node.def->op, inputs);
    if (expanded >= 0 && expanded * static_cast<int64_t>(dt == DT_INVALID ? 1 : std::max<size_t>(1, DataTypeSize(dt))) > cap) {
      continue;
    }
    int64_t input_bytes = 0;
    for (const Tensor& t : inputs) input_bytes += ValueBytes(t);
    if (input_bytes > cap) continue;  // not worth evaluating at plan time
    auto kernel = g->KernelFor(node.graph_id);
    if (!kernel.ok()) continue;
    std::vector<Tensor> outputs(node.num_outputs);
    // A pool without workers: kernels take their parallel code paths (a full reduction sums in
    // chunks whenever it has a pool) on this thread, so the value is exactly what a step computes.
    OpKernelContext ctx(&inputs, &outputs, &serial_pool);
    Status s;
    try {
      s = kernel.value()->Compute(&ctx);
    } catch (...) {
      s = Internal("kernel failed");
    }
    if (!s.ok()) continue;  // the step reports it, as it would unoptimized
    bool ok = true;
    int64_t bytes = 0;
    for (const Tensor& t : outputs) {
      if (!t.initialized() || t.dtype() == DT_RESOURCE) {
        ok = false;
        break;
      }
      bytes += ValueBytes(t);
    }
    if (!ok || bytes > cap) continue;
    values[id] = std::move(outputs);
    known[id] = folded[id] = 1;
  }

  // Replace each folded output that a live, unfolded node or a fetch still reads by a new Const.
  const auto consumers = g->Consumers();
  std::map<OptRef, OptRef> forward;
  for (int id : order) {
    if (!folded[id]) continue;
    ++g->stats.constants_folded;
    const std::string& name = g->nodes[id].def->name;
    for (int k = 0; k < g->nodes[id].num_outputs; ++k) {
      const OptRef ref{id, k, -1};
      bool needed = g->IsFetched(ref);
      for (const auto& [c, idx] : consumers[id]) {
        if (!folded[c] && g->nodes[c].inputs[idx] == ref) needed = true;
      }
      if (!needed) continue;
      OptNode c;
      c.owned_def = std::make_shared<NodeDef>();
      c.owned_def->name = "ConstantFolding/" + name + (k > 0 ? "-" + std::to_string(k) : "");
      c.owned_def->op = "Const";
      AttrValue dtype;
      dtype.kind = AttrValue::Kind::kType;
      dtype.type = values[id][k].dtype();
      c.owned_def->attr["dtype"] = dtype;
      c.def = c.owned_def.get();
      c.num_outputs = 1;
      c.kernel = MakeConstantKernel(c.owned_def->name, values[id][k]);
      const int cid = g->AddNode(std::move(c));
      forward[ref] = OptRef{cid, 0, -1};
      ++g->stats.constants_created;
    }
  }
  g->ReplaceAllUses(forward);
  g->RefreshPinned();
  g->RemoveDeadNodes();
}

}  // namespace graphrt
