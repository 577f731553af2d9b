#include "graphrt/graph/passes/contraction_fusion.h"

#include <map>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/fused_kernels.h"

namespace graphrt {
namespace {

std::string DataFormat(const NodeDef& def) {
  const AttrValue* a = FindAttr(def, "data_format");
  return a != nullptr && a->kind == AttrValue::Kind::kS && !a->s.empty() ? a->s : "NHWC";
}

}  // namespace

void FuseContractions(OptGraph* g, const PassOptions& options) {
  const auto consumers = g->Consumers();
  // The single reader of node `id`'s output 0 when that is its only data edge and it is not fetched.
  auto sole_reader = [&](int id) -> int {
    if (consumers[id].size() != 1 || consumers[id][0].second < 0) return -1;
    if (g->IsFetched(OptRef{id, 0, -1})) return -1;
    const int c = consumers[id][0].first;
    return g->nodes[c].dead ? -1 : c;
  };
  auto usable = [&](int id, DataType dt) {
    const OptNode& n = g->nodes[id];
    return !n.dead && n.graph_id >= 0 && !g->IsPinned(id) && !g->IsStateful(id) && NodeDtype(*n.def) == dt;
  };
  std::map<OptRef, OptRef> forward;
  for (int id : g->TopoOrder()) {
    OptNode& bias = g->nodes[id];
    const std::string& bop = bias.def->op;
    const bool is_add = bop == "Add" || bop == "AddV2";
    if (bias.dead || (bop != "BiasAdd" && !is_add) || bias.inputs.size() != 2) continue;
    const DataType dt = NodeDtype(*bias.def);
    if ((dt != DT_FLOAT && dt != DT_DOUBLE) || !usable(id, dt)) continue;
    auto is_contraction = [&](const OptRef& r) {
      if (r.is_feed() || r.output != 0 || !usable(r.node, dt)) return false;
      const OptNode& c = g->nodes[r.node];
      return (c.def->op == "MatMul" || c.def->op == "Conv2D") && c.inputs.size() == 2 && sole_reader(r.node) == id;
    };
    // BiasAdd(contraction, bias); Add(contraction, bias) or Add(bias, contraction).
    int operand = 0;
    if (!is_contraction(bias.inputs[0])) {
      if (!is_add || !is_contraction(bias.inputs[1])) continue;
      operand = 1;
    }
    const OptRef src = bias.inputs[operand];
    const OptRef bias_value = bias.inputs[1 - operand];
    const OptNode& contraction = g->nodes[src.node];
    const std::string& cop = contraction.def->op;
    if (cop == "Conv2D" && DataFormat(*contraction.def) != (is_add ? "NHWC" : DataFormat(*bias.def))) continue;
    int relu = sole_reader(id);
    if (relu >= 0 && !(g->nodes[relu].def->op == "Relu" && usable(relu, dt) && g->nodes[relu].inputs.size() == 1)) {
      relu = -1;
    }
    const int last = relu >= 0 ? relu : id;
    auto kernel = g->KernelFor(contraction.graph_id);
    if (!kernel.ok()) continue;
    FusedContractionSpec spec;
    if (is_add) {
      auto add_kernel = g->KernelFor(bias.graph_id);
      if (!add_kernel.ok()) continue;
      spec.add_kernel = add_kernel.value();
      if (relu >= 0) {
        auto relu_kernel = g->KernelFor(g->nodes[relu].graph_id);
        if (!relu_kernel.ok()) continue;
        spec.relu_kernel = relu_kernel.value();
      }
      spec.bias_is_add = true;
      spec.bias_operand = 1 - operand;
    }

    OptNode fused;
    fused.owned_def = std::make_shared<NodeDef>();
    NodeDef& def = *fused.owned_def;
    def.name = g->nodes[last].def->name;
    def.op = cop == "MatMul" ? "_FusedMatMul" : "_FusedConv2D";
    def.device = contraction.def->device;
    def.attr = contraction.def->attr;
    AttrValue ops;
    ops.kind = AttrValue::Kind::kList;
    ops.list.s.push_back(is_add ? "Add" : "BiasAdd");
    if (relu >= 0) ops.list.s.push_back("Relu");
    def.attr["fused_ops"] = ops;
    AttrValue num_args;
    num_args.kind = AttrValue::Kind::kI;
    num_args.i = 1;
    def.attr["num_args"] = num_args;
    fused.def = fused.owned_def.get();
    fused.num_outputs = 1;
    fused.inputs = {contraction.inputs[0], contraction.inputs[1], bias_value};
    fused.expensive = true;
    spec.contraction = kernel.value();
    spec.contraction_name = contraction.def->name;
    spec.bias_name = bias.def->name;
    if (relu >= 0) spec.relu_name = g->nodes[relu].def->name;
    spec.bias_nchw = !is_add && DataFormat(*bias.def) == "NCHW";
    fused.kernel = MakeFusedContractionKernel(def, std::move(spec));
    const int contraction_id = src.node;
    const int fid = g->AddNode(std::move(fused));
    forward[OptRef{last, 0, -1}] = OptRef{fid, 0, -1};
    g->nodes[contraction_id].dead = true;
    g->nodes[id].dead = true;
    if (relu >= 0) g->nodes[relu].dead = true;
    ++(cop == "MatMul" ? g->stats.matmul_fused : g->stats.conv_fused);
  }
  g->ReplaceAllUses(forward);
  g->RefreshPinned();
}

}  // namespace graphrt
