// Typed access to NodeDef attributes, with errors that name the node and the attribute.
#pragma once
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/graph/graph_def.h"

namespace graphrt {

const AttrValue* FindAttr(const NodeDef& node, const std::string& name);
StatusOr<DataType> GetTypeAttr(const NodeDef& node, const std::string& name);
StatusOr<int64_t> GetIntAttr(const NodeDef& node, const std::string& name);
StatusOr<bool> GetBoolAttr(const NodeDef& node, const std::string& name, bool default_value);
StatusOr<Tensor> GetTensorAttr(const NodeDef& node, const std::string& name);
StatusOr<TensorShapeProto> GetShapeAttr(const NodeDef& node, const std::string& name);

}  // namespace graphrt
