// GraphDef / NodeDef / AttrValue / TensorProto / TensorShapeProto in memory, with a protobuf-wire
// codec using TensorFlow's field numbers (graph.proto, node_def.proto, attr_value.proto, tensor.proto,
// tensor_shape.proto). Decoding is hardened: any byte string either decodes or yields
// InvalidArgument; nesting depth is bounded and nothing is allocated beyond the input's size.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graphrt/core/dtype.h"
#include "graphrt/core/status.h"

namespace graphrt {

struct TensorShapeProto {
  std::vector<int64_t> dims;  // -1 = unknown dimension
  bool unknown_rank = false;
};

struct TensorProto {
  DataType dtype = DT_INVALID;
  TensorShapeProto shape;
  std::string tensor_content;
  std::vector<int32_t> half_val;  // bit patterns in the low 16 bits
  std::vector<float> float_val;
  std::vector<double> double_val;
  std::vector<int32_t> int_val;
  std::vector<std::string> string_val;
  std::vector<int64_t> int64_val;
  std::vector<uint8_t> bool_val;
};

struct NameAttrList;

struct AttrListValue {
  std::vector<std::string> s;
  std::vector<int64_t> i;
  std::vector<float> f;
  std::vector<uint8_t> b;
  std::vector<DataType> type;
  std::vector<TensorShapeProto> shape;
  std::vector<TensorProto> tensor;
  std::vector<std::shared_ptr<NameAttrList>> func;
};

struct AttrValue {
  enum class Kind { kNone, kS, kI, kF, kB, kType, kShape, kTensor, kList, kFunc, kPlaceholder };
  Kind kind = Kind::kNone;
  std::string s;  // also the placeholder name
  int64_t i = 0;
  float f = 0;
  bool b = false;
  DataType type = DT_INVALID;
  TensorShapeProto shape;
  TensorProto tensor;
  AttrListValue list;
  std::shared_ptr<NameAttrList> func;
};

struct NameAttrList {
  std::string name;
  std::map<std::string, AttrValue> attr;
};

struct NodeDef {
  std::string name;
  std::string op;
  std::vector<std::string> input;  // "node", "node:1", "^ctrl"
  std::string device;
  std::map<std::string, AttrValue> attr;
};

// A function body (FunctionDef, function.proto): its signature's input/output args, its nodes,
// and `ret` mapping each output arg to a tensor ("node:k") inside the body. Inside a body, an input
// arg is referenced by its name, like a node with one output.
struct FunctionArg {
  std::string name;
  DataType type = DT_INVALID;
};

struct FunctionDef {
  std::string name;
  std::vector<FunctionArg> input_args;
  std::vector<FunctionArg> output_args;
  std::vector<NodeDef> node_def;
  std::map<std::string, std::string> ret;
};

struct GraphDef {
  std::vector<NodeDef> node;
  int32_t producer = 0;
  int32_t min_consumer = 0;
  std::vector<FunctionDef> functions;  // GraphDef.library (FunctionDefLibrary.function)
};

Status DecodeGraphDef(std::string_view bytes, GraphDef* out);
std::string EncodeGraphDef(const GraphDef& graph);
Status DecodeNodeDef(std::string_view bytes, NodeDef* out);
std::string EncodeNodeDef(const NodeDef& node);
Status DecodeFunctionDef(std::string_view bytes, FunctionDef* out);
std::string EncodeFunctionDef(const FunctionDef& function);
Status DecodeTensorProto(std::string_view bytes, TensorProto* out);
std::string EncodeTensorProto(const TensorProto& tensor);

}  // namespace graphrt
