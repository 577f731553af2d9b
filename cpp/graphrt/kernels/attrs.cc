#include "graphrt/kernels/attrs.h"

#include "graphrt/graph/tensor_proto.h"

namespace graphrt {
namespace {
Status Missing(const NodeDef& node, const std::string& name, const char* kind) {
  return InvalidArgument("NodeDef '" + node.name + "' (" + node.op + ") is missing " + kind + " attr '" + name + "'");
}
}  // namespace

const AttrValue* FindAttr(const NodeDef& node, const std::string& name) {
  auto it = node.attr.find(name);
  return it == node.attr.end() ? nullptr : &it->second;
}

StatusOr<DataType> GetTypeAttr(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kType) return Missing(node, name, "type");
  if (!IsValidDataType(a->type)) {
    return InvalidArgument("NodeDef '" + node.name + "' attr '" + name + "' has unsupported type " +
                           std::to_string(int(a->type)));
  }
  return a->type;
}

StatusOr<int64_t> GetIntAttr(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kI) return Missing(node, name, "int");
  return a->i;
}

StatusOr<bool> GetBoolAttr(const NodeDef& node, const std::string& name, bool default_value) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr) return default_value;
  if (a->kind != AttrValue::Kind::kB) return Missing(node, name, "bool");
  return a->b;
}

StatusOr<Tensor> GetTensorAttr(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kTensor) return Missing(node, name, "tensor");
  auto t = TensorFromProto(a->tensor);
  if (!t.ok()) return InvalidArgument("NodeDef '" + node.name + "' attr '" + name + "': " + t.status().message());
  return t;
}

StatusOr<TensorShapeProto> GetShapeAttr(const NodeDef& node, const std::string& name) {
  const AttrValue* a = FindAttr(node, name);
  if (a == nullptr || a->kind != AttrValue::Kind::kShape) return Missing(node, name, "shape");
  return a->shape;
}

}  // namespace graphrt
