// Kernels of nodes that graph passes synthesize (they are created by the passes, not looked up by op
// name, so they are not part of the op registry a GraphDef can name):
// - _FusedElementwise: a chain or tree of float32/float64 elementwise ops computed in one pass over
//   the data, blocks of kFusedBlock elements at a time, with no intermediate tensors.
// - _FusedMatMul / _FusedConv2D: the node's own MatMul / Conv2D kernel, then the BiasAdd (or Add of
//   a bias vector) (+ Relu) epilogue in place on its output.
// Results are bit-identical to running the original kernels one after another.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

constexpr int kFusedBlock = 1024;

// Whether an op type with this many inputs can join an elementwise fusion group.
bool IsFusibleElementwiseOp(const std::string& op, int num_inputs);

struct FusedElementwiseSpec {
  struct Op {
    std::string type;    // "Add", "Exp", ...
    std::string name;    // the original node, for errors
    std::vector<int> args;  // operand k: < num_leaves: leaf (fused node input); else op (k - num_leaves)
    float alpha = 0.2f;  // LeakyRelu
  };
  DataType dtype = DT_FLOAT;
  int num_leaves = 0;
  std::vector<Op> ops;                 // topological order; the last one is the root
  std::vector<int> outputs;            // op index of each fused-node output; outputs[0] is the root
  // The original kernel of each op, run one by one when the fast path does not apply (broadcasting
  // other than of rank-0 operands, unexpected dtypes): same results, same errors.
  std::vector<std::shared_ptr<OpKernel>> fallback;
  bool reuse_inputs = true;            // the root may take a dead input's buffer (memory optimization)
};

std::shared_ptr<OpKernel> MakeFusedElementwiseKernel(const NodeDef& def, FusedElementwiseSpec spec);

struct FusedContractionSpec {
  std::shared_ptr<OpKernel> contraction;  // the MatMul / Conv2D node's kernel
  std::string contraction_name, bias_name, relu_name;  // relu_name empty: no Relu
  bool bias_nchw = false;                 // BiasAdd data_format (channel dim 1 instead of last)
  // The bias op is an Add/AddV2 (`matmul(x, w) + b`) rather than a BiasAdd: the epilogue applies when
  // the bias turns out to be a vector along the last dimension (shape [n] or [1, n]); otherwise the
  // Add (bias at input `bias_operand` of it) and Relu kernels run on the contraction's output.
  bool bias_is_add = false;
  int bias_operand = 1;
  std::shared_ptr<OpKernel> add_kernel, relu_kernel;
};

// Inputs: (a, b, bias) for _FusedMatMul, (input, filter, bias) for _FusedConv2D.
std::shared_ptr<OpKernel> MakeFusedContractionKernel(const NodeDef& def, FusedContractionSpec spec);

}  // namespace graphrt
