// Graph: the session's in-memory graph. It only grows: Extend adds a batch of NodeDefs (all or
// nothing), resolving their input strings to (node, output) edges and control edges.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/registry.h"

namespace graphrt {

struct TensorId {
  int node = -1;
  int output = 0;
};

struct Node {
  NodeDef def;
  const OpDef* op = nullptr;
  int num_outputs = 0;
  std::vector<TensorId> inputs;
  std::vector<int> control_inputs;
};

// The functions a graph's If/While nodes call, by name. Adding a function whose name exists is
// fine when the body is identical (a re-sent library) and an error otherwise.
class FunctionLibrary {
 public:
  Status Check(const FunctionDef& f) const;
  void Add(const FunctionDef& f);
  const FunctionDef* Find(const std::string& name) const;
  const std::map<std::string, FunctionDef>& functions() const { return functions_; }

 private:
  std::map<std::string, FunctionDef> functions_;
};

class Graph {
 public:
  // Validates every node (unique name, registered op, input arity, inputs that exist) before adding
  // any; inputs may name nodes that come later in the same batch.
  Status Extend(const GraphDef& def);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int i) const { return *nodes_[i]; }
  int FindNode(const std::string& name) const;
  // "name" or "name:k" -> the output tensor, NotFound/InvalidArgument when there is no such tensor.
  StatusOr<TensorId> ResolveTensor(const std::string& name) const;
  GraphDef ToGraphDef() const;
  const FunctionLibrary& library() const { return library_; }

 private:
  FunctionLibrary library_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<std::string, int> index_;
};

// Splits "name:k" / "^name"; returns false on a malformed reference.
bool ParseTensorName(const std::string& ref, std::string* node, int* output, bool* is_control);

}  // namespace graphrt
