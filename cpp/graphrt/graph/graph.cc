#include "graphrt/graph/graph.h"

namespace graphrt {

bool ParseTensorName(const std::string& ref, std::string* node, int* output, bool* is_control) {
  *is_control = !ref.empty() && ref[0] == '^';
  std::string s = *is_control ? ref.substr(1) : ref;
  *output = 0;
  size_t colon = s.rfind(':');
  if (colon != std::string::npos) {
    std::string idx = s.substr(colon + 1);
    if (idx.empty() || idx.size() > 9) return false;
    for (char c : idx) {
      if (c < '0' || c > '9') return false;
    }
    *output = std::stoi(idx);
    s = s.substr(0, colon);
    if (*is_control) return false;
  }
  if (s.empty()) return false;
  *node = s;
  return true;
}

int Graph::FindNode(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

StatusOr<TensorId> Graph::ResolveTensor(const std::string& name) const {
  std::string node;
  int output;
  bool control;
  if (!ParseTensorName(name, &node, &output, &control) || control) {
    return InvalidArgument("'" + name + "' is not a valid tensor name");
  }
  int id = FindNode(node);
  if (id < 0) return NotFound("The name '" + name + "' refers to a Tensor which does not exist. The operation, '" + node + "', does not exist in the graph.");
  if (output >= nodes_[id]->num_outputs) {
    return InvalidArgument("The name '" + name + "' refers to a Tensor which does not exist. The operation, '" + node +
                           "', exists but only has " + std::to_string(nodes_[id]->num_outputs) + " outputs.");
  }
  return TensorId{id, output};
}

Status FunctionLibrary::Check(const FunctionDef& f) const {
  if (f.name.empty()) return InvalidArgument("A function in the GraphDef library has no name");
  auto it = functions_.find(f.name);
  if (it != functions_.end() && EncodeFunctionDef(it->second) != EncodeFunctionDef(f)) {
    return InvalidArgument("Function '" + f.name + "' is already defined with a different body");
  }
  return Status::OK();
}

void FunctionLibrary::Add(const FunctionDef& f) { functions_.emplace(f.name, f); }

const FunctionDef* FunctionLibrary::Find(const std::string& name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

Status Graph::Extend(const GraphDef& def) {
  const OpRegistry& registry = OpRegistry::Global();
  for (const FunctionDef& f : def.functions) RETURN_IF_ERROR(library_.Check(f));
  std::unordered_map<std::string, int> batch;  // name -> index in def.node
  std::vector<OpArity> arity(def.node.size());
  for (size_t i = 0; i < def.node.size(); ++i) {
    const NodeDef& n = def.node[i];
    if (n.name.empty()) return InvalidArgument("Node " + std::to_string(i) + " has an empty name");
    if (n.name.find(':') != std::string::npos || n.name[0] == '^') {
      return Status(Code::kInvalidArgument, "Node name '" + n.name + "' is not valid", n.name);
    }
    if (index_.count(n.name) || !batch.emplace(n.name, static_cast<int>(i)).second) {
      return Status(Code::kInvalidArgument, "Duplicate node name in graph: '" + n.name + "'", n.name);
    }
    const OpDef* op = registry.LookupOp(n.op);
    if (op == nullptr) {
      return Status(Code::kNotFound, "Op type not registered '" + n.op + "' (node '" + n.name + "')", n.name);
    }
    auto a = op->arity(n);
    if (!a.ok()) return a.status().WithNode(n.name);
    arity[i] = a.value();
  }
  // Resolve edges now that every name in the batch is known.
  std::vector<std::unique_ptr<Node>> added;
  const int base = num_nodes();
  for (size_t i = 0; i < def.node.size(); ++i) {
    const NodeDef& n = def.node[i];
    auto node = std::make_unique<Node>();
    node->def = n;
    node->op = registry.LookupOp(n.op);
    node->num_outputs = arity[i].num_outputs;
    bool seen_control = false;
    for (const std::string& ref : n.input) {
      std::string src;
      int out;
      bool control;
      if (!ParseTensorName(ref, &src, &out, &control)) {
        return Status(Code::kInvalidArgument, "Node '" + n.name + "' has malformed input '" + ref + "'", n.name);
      }
      int src_id = FindNode(src);
      int src_outputs = 0;
      if (src_id >= 0) {
        src_outputs = nodes_[src_id]->num_outputs;
      } else {
        auto it = batch.find(src);
        if (it == batch.end()) {
          return Status(Code::kInvalidArgument, "Node '" + n.name + "': input '" + ref + "' refers to unknown node '" + src + "'", n.name);
        }
        src_id = base + it->second;
        src_outputs = arity[it->second].num_outputs;
      }
      if (control) {
        seen_control = true;
        node->control_inputs.push_back(src_id);
        continue;
      }
      if (seen_control) {
        return Status(Code::kInvalidArgument, "Node '" + n.name + "': data input '" + ref + "' after control inputs", n.name);
      }
      if (out >= src_outputs) {
        return Status(Code::kInvalidArgument, "Node '" + n.name + "': input '" + ref + "' names output " + std::to_string(out) +
                      " but '" + src + "' has " + std::to_string(src_outputs) + " outputs", n.name);
      }
      node->inputs.push_back(TensorId{src_id, out});
    }
    if (static_cast<int>(node->inputs.size()) != arity[i].num_inputs) {
      return Status(Code::kInvalidArgument, "NodeDef '" + n.name + "' (" + n.op + ") expected " + std::to_string(arity[i].num_inputs) +
                    " inputs, got " + std::to_string(node->inputs.size()), n.name);
    }
    added.push_back(std::move(node));
  }
  for (const FunctionDef& f : def.functions) library_.Add(f);
  for (auto& node : added) {
    index_.emplace(node->def.name, num_nodes());
    nodes_.push_back(std::move(node));
  }
  return Status::OK();
}

GraphDef Graph::ToGraphDef() const {
  GraphDef def;
  for (const auto& n : nodes_) def.node.push_back(n->def);
  for (const auto& kv : library_.functions()) def.functions.push_back(kv.second);
  return def;
}

}  // namespace graphrt
