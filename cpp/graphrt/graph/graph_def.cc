#include "graphrt/graph/graph_def.h"

#include <cstring>

#include "graphrt/graph/wire.h"

namespace graphrt {
namespace {

using wire::Reader;

// Function attrs can nest (NameAttrList -> AttrValue -> NameAttrList ...); bound it.
constexpr int kMaxDepth = 64;

Status CheckType(int got, int want, const char* what) {
  if (got != want) return InvalidArgument(std::string("GraphDef: wrong wire type for ") + what);
  return Status::OK();
}

// Repeated scalar fields arrive packed (length-delimited) or one element per tag.
template <typename T, typename ReadOne>
Status ReadRepeated(Reader* r, int wire_type, int element_wire_type, std::vector<T>* out, ReadOne read_one) {
  if (wire_type == wire::kLengthDelimited) {
    std::string_view payload;
    RETURN_IF_ERROR(r->ReadBytes(&payload));
    Reader pr(payload);
    while (!pr.done()) {
      T v;
      RETURN_IF_ERROR(read_one(&pr, &v));
      out->push_back(v);
    }
    return Status::OK();
  }
  if (wire_type != element_wire_type) return InvalidArgument("GraphDef: wrong wire type for repeated field");
  T v;
  RETURN_IF_ERROR(read_one(r, &v));
  out->push_back(v);
  return Status::OK();
}

Status ReadInt64(Reader* r, int64_t* v) {
  uint64_t u;
  RETURN_IF_ERROR(r->ReadVarint(&u));
  *v = static_cast<int64_t>(u);
  return Status::OK();
}
Status ReadInt32(Reader* r, int32_t* v) {
  uint64_t u;
  RETURN_IF_ERROR(r->ReadVarint(&u));
  *v = static_cast<int32_t>(u);
  return Status::OK();
}
Status ReadBool(Reader* r, uint8_t* v) {
  uint64_t u;
  RETURN_IF_ERROR(r->ReadVarint(&u));
  *v = u != 0;
  return Status::OK();
}
Status ReadFloat(Reader* r, float* v) {
  uint32_t u;
  RETURN_IF_ERROR(r->ReadFixed32(&u));
  std::memcpy(v, &u, 4);
  return Status::OK();
}
Status ReadDouble(Reader* r, double* v) {
  uint64_t u;
  RETURN_IF_ERROR(r->ReadFixed64(&u));
  std::memcpy(v, &u, 8);
  return Status::OK();
}
Status ReadDataType(Reader* r, DataType* v) {
  uint64_t u;
  RETURN_IF_ERROR(r->ReadVarint(&u));
  *v = static_cast<DataType>(static_cast<int>(u));
  return Status::OK();
}

Status ReadString(Reader* r, int wire_type, std::string* out) {
  RETURN_IF_ERROR(CheckType(wire_type, wire::kLengthDelimited, "string"));
  std::string_view v;
  RETURN_IF_ERROR(r->ReadBytes(&v));
  out->assign(v.data(), v.size());
  return Status::OK();
}

Status DecodeShape(std::string_view bytes, TensorShapeProto* out) {
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    if (field == 2) {  // Dim
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "TensorShapeProto.dim"));
      std::string_view dim_bytes;
      RETURN_IF_ERROR(r.ReadBytes(&dim_bytes));
      Reader dr(dim_bytes);
      int64_t size = 0;
      while (!dr.done()) {
        uint32_t f;
        int w;
        RETURN_IF_ERROR(dr.ReadTag(&f, &w));
        if (f == 1 && w == wire::kVarint) {
          RETURN_IF_ERROR(ReadInt64(&dr, &size));
        } else {
          RETURN_IF_ERROR(dr.Skip(w));
        }
      }
      if (size < -1) return InvalidArgument("GraphDef: shape dimension " + std::to_string(size) + " is invalid");
      out->dims.push_back(size);
    } else if (field == 3 && wt == wire::kVarint) {
      uint8_t b;
      RETURN_IF_ERROR(ReadBool(&r, &b));
      out->unknown_rank = b;
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

Status DecodeTensor(std::string_view bytes, TensorProto* out) {
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    switch (field) {
      case 1:
        RETURN_IF_ERROR(CheckType(wt, wire::kVarint, "TensorProto.dtype"));
        RETURN_IF_ERROR(ReadDataType(&r, &out->dtype));
        break;
      case 2: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "TensorProto.tensor_shape"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->shape = TensorShapeProto();
        RETURN_IF_ERROR(DecodeShape(v, &out->shape));
        break;
      }
      case 4:
        RETURN_IF_ERROR(ReadString(&r, wt, &out->tensor_content));
        break;
      case 5:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kFixed32, &out->float_val, ReadFloat));
        break;
      case 6:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kFixed64, &out->double_val, ReadDouble));
        break;
      case 7:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->int_val, ReadInt32));
        break;
      case 8: {
        std::string s;
        RETURN_IF_ERROR(ReadString(&r, wt, &s));
        out->string_val.push_back(std::move(s));
        break;
      }
      case 10:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->int64_val, ReadInt64));
        break;
      case 11:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->bool_val, ReadBool));
        break;
      case 13:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->half_val, ReadInt32));
        break;
      default:
        RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

Status DecodeAttrValue(std::string_view bytes, AttrValue* out, int depth);

Status DecodeNameAttrList(std::string_view bytes, NameAttrList* out, int depth);

Status DecodeAttrMapEntry(std::string_view bytes, std::map<std::string, AttrValue>* attrs, int depth) {
  Reader r(bytes);
  std::string key;
  AttrValue value;
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    if (field == 1) {
      RETURN_IF_ERROR(ReadString(&r, wt, &key));
    } else if (field == 2) {
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "attr value"));
      std::string_view v;
      RETURN_IF_ERROR(r.ReadBytes(&v));
      value = AttrValue();
      RETURN_IF_ERROR(DecodeAttrValue(v, &value, depth + 1));
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  (*attrs)[key] = std::move(value);
  return Status::OK();
}

Status DecodeNameAttrList(std::string_view bytes, NameAttrList* out, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("GraphDef: attributes nested too deeply");
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    if (field == 1) {
      RETURN_IF_ERROR(ReadString(&r, wt, &out->name));
    } else if (field == 2) {
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "NameAttrList.attr"));
      std::string_view v;
      RETURN_IF_ERROR(r.ReadBytes(&v));
      RETURN_IF_ERROR(DecodeAttrMapEntry(v, &out->attr, depth + 1));
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

Status DecodeListValue(std::string_view bytes, AttrListValue* out, int depth) {
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    switch (field) {
      case 2: {
        std::string s;
        RETURN_IF_ERROR(ReadString(&r, wt, &s));
        out->s.push_back(std::move(s));
        break;
      }
      case 3:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->i, ReadInt64));
        break;
      case 4:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kFixed32, &out->f, ReadFloat));
        break;
      case 5:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->b, ReadBool));
        break;
      case 6:
        RETURN_IF_ERROR(ReadRepeated(&r, wt, wire::kVarint, &out->type, ReadDataType));
        break;
      case 7: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "list.shape"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->shape.emplace_back();
        RETURN_IF_ERROR(DecodeShape(v, &out->shape.back()));
        break;
      }
      case 8: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "list.tensor"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->tensor.emplace_back();
        RETURN_IF_ERROR(DecodeTensor(v, &out->tensor.back()));
        break;
      }
      case 9: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "list.func"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        auto f = std::make_shared<NameAttrList>();
        RETURN_IF_ERROR(DecodeNameAttrList(v, f.get(), depth + 1));
        out->func.push_back(std::move(f));
        break;
      }
      default:
        RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

Status DecodeAttrValue(std::string_view bytes, AttrValue* out, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("GraphDef: attributes nested too deeply");
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    switch (field) {
      case 1: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "AttrValue.list"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->kind = AttrValue::Kind::kList;
        out->list = AttrListValue();
        RETURN_IF_ERROR(DecodeListValue(v, &out->list, depth));
        break;
      }
      case 2:
        out->kind = AttrValue::Kind::kS;
        RETURN_IF_ERROR(ReadString(&r, wt, &out->s));
        break;
      case 3:
        RETURN_IF_ERROR(CheckType(wt, wire::kVarint, "AttrValue.i"));
        out->kind = AttrValue::Kind::kI;
        RETURN_IF_ERROR(ReadInt64(&r, &out->i));
        break;
      case 4:
        RETURN_IF_ERROR(CheckType(wt, wire::kFixed32, "AttrValue.f"));
        out->kind = AttrValue::Kind::kF;
        RETURN_IF_ERROR(ReadFloat(&r, &out->f));
        break;
      case 5: {
        RETURN_IF_ERROR(CheckType(wt, wire::kVarint, "AttrValue.b"));
        out->kind = AttrValue::Kind::kB;
        uint8_t b;
        RETURN_IF_ERROR(ReadBool(&r, &b));
        out->b = b;
        break;
      }
      case 6:
        RETURN_IF_ERROR(CheckType(wt, wire::kVarint, "AttrValue.type"));
        out->kind = AttrValue::Kind::kType;
        RETURN_IF_ERROR(ReadDataType(&r, &out->type));
        break;
      case 7: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "AttrValue.shape"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->kind = AttrValue::Kind::kShape;
        out->shape = TensorShapeProto();
        RETURN_IF_ERROR(DecodeShape(v, &out->shape));
        break;
      }
      case 8: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "AttrValue.tensor"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->kind = AttrValue::Kind::kTensor;
        out->tensor = TensorProto();
        RETURN_IF_ERROR(DecodeTensor(v, &out->tensor));
        break;
      }
      case 9:
        out->kind = AttrValue::Kind::kPlaceholder;
        RETURN_IF_ERROR(ReadString(&r, wt, &out->s));
        break;
      case 10: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "AttrValue.func"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        out->kind = AttrValue::Kind::kFunc;
        out->func = std::make_shared<NameAttrList>();
        RETURN_IF_ERROR(DecodeNameAttrList(v, out->func.get(), depth + 1));
        break;
      }
      default:
        RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

// ---- encoding -------------------------------------------------------------------------------

void EncodeShapeTo(const TensorShapeProto& s, std::string* out) {
  for (int64_t d : s.dims) {
    std::string dim;
    if (d != 0) wire::WriteVarintField(&dim, 1, static_cast<uint64_t>(d));
    wire::WriteBytesField(out, 2, dim);
  }
  if (s.unknown_rank) wire::WriteVarintField(out, 3, 1);
}

template <typename T, typename WriteOne>
void WritePacked(std::string* out, uint32_t field, const std::vector<T>& values, WriteOne write_one) {
  if (values.empty()) return;
  std::string payload;
  for (const T& v : values) write_one(&payload, v);
  wire::WriteBytesField(out, field, payload);
}

void PutVarint64(std::string* out, int64_t v) { wire::WriteVarint(out, static_cast<uint64_t>(v)); }
void PutVarint32(std::string* out, int32_t v) { wire::WriteVarint(out, static_cast<uint64_t>(static_cast<int64_t>(v))); }
void PutBool(std::string* out, uint8_t v) { wire::WriteVarint(out, v ? 1 : 0); }
void PutFloat(std::string* out, float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  wire::WriteFixed32(out, u);
}
void PutDouble(std::string* out, double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  wire::WriteFixed64(out, u);
}
void PutType(std::string* out, DataType v) { wire::WriteVarint(out, static_cast<uint64_t>(v)); }

void EncodeTensorTo(const TensorProto& t, std::string* out) {
  if (t.dtype != DT_INVALID) wire::WriteVarintField(out, 1, static_cast<uint64_t>(t.dtype));
  std::string shape;
  EncodeShapeTo(t.shape, &shape);
  wire::WriteBytesField(out, 2, shape);
  if (!t.tensor_content.empty()) wire::WriteBytesField(out, 4, t.tensor_content);
  WritePacked(out, 5, t.float_val, PutFloat);
  WritePacked(out, 6, t.double_val, PutDouble);
  WritePacked(out, 7, t.int_val, PutVarint32);
  for (const auto& s : t.string_val) wire::WriteBytesField(out, 8, s);
  WritePacked(out, 10, t.int64_val, PutVarint64);
  WritePacked(out, 11, t.bool_val, PutBool);
  WritePacked(out, 13, t.half_val, PutVarint32);
}

void EncodeAttrValueTo(const AttrValue& a, std::string* out);

void EncodeAttrMapTo(const std::map<std::string, AttrValue>& attrs, uint32_t field, std::string* out) {
  for (const auto& kv : attrs) {
    std::string entry, value;
    wire::WriteBytesField(&entry, 1, kv.first);
    EncodeAttrValueTo(kv.second, &value);
    wire::WriteBytesField(&entry, 2, value);
    wire::WriteBytesField(out, field, entry);
  }
}

void EncodeNameAttrListTo(const NameAttrList& f, std::string* out) {
  if (!f.name.empty()) wire::WriteBytesField(out, 1, f.name);
  EncodeAttrMapTo(f.attr, 2, out);
}

void EncodeAttrValueTo(const AttrValue& a, std::string* out) {
  switch (a.kind) {
    case AttrValue::Kind::kNone:
      break;
    case AttrValue::Kind::kS:
      wire::WriteBytesField(out, 2, a.s);
      break;
    case AttrValue::Kind::kI:
      wire::WriteVarintField(out, 3, static_cast<uint64_t>(a.i));
      break;
    case AttrValue::Kind::kF: {
      uint32_t u;
      std::memcpy(&u, &a.f, 4);
      wire::WriteFixed32Field(out, 4, u);
      break;
    }
    case AttrValue::Kind::kB:
      wire::WriteVarintField(out, 5, a.b ? 1 : 0);
      break;
    case AttrValue::Kind::kType:
      wire::WriteVarintField(out, 6, static_cast<uint64_t>(a.type));
      break;
    case AttrValue::Kind::kShape: {
      std::string s;
      EncodeShapeTo(a.shape, &s);
      wire::WriteBytesField(out, 7, s);
      break;
    }
    case AttrValue::Kind::kTensor: {
      std::string s;
      EncodeTensorTo(a.tensor, &s);
      wire::WriteBytesField(out, 8, s);
      break;
    }
    case AttrValue::Kind::kPlaceholder:
      wire::WriteBytesField(out, 9, a.s);
      break;
    case AttrValue::Kind::kFunc: {
      std::string s;
      if (a.func) EncodeNameAttrListTo(*a.func, &s);
      wire::WriteBytesField(out, 10, s);
      break;
    }
    case AttrValue::Kind::kList: {
      const AttrListValue& l = a.list;
      std::string s;
      for (const auto& v : l.s) wire::WriteBytesField(&s, 2, v);
      WritePacked(&s, 3, l.i, PutVarint64);
      WritePacked(&s, 4, l.f, PutFloat);
      WritePacked(&s, 5, l.b, PutBool);
      WritePacked(&s, 6, l.type, PutType);
      for (const auto& v : l.shape) {
        std::string t;
        EncodeShapeTo(v, &t);
        wire::WriteBytesField(&s, 7, t);
      }
      for (const auto& v : l.tensor) {
        std::string t;
        EncodeTensorTo(v, &t);
        wire::WriteBytesField(&s, 8, t);
      }
      for (const auto& v : l.func) {
        std::string t;
        if (v) EncodeNameAttrListTo(*v, &t);
        wire::WriteBytesField(&s, 9, t);
      }
      wire::WriteBytesField(out, 1, s);
      break;
    }
  }
}

void EncodeNodeTo(const NodeDef& n, std::string* out) {
  wire::WriteBytesField(out, 1, n.name);
  wire::WriteBytesField(out, 2, n.op);
  for (const auto& in : n.input) wire::WriteBytesField(out, 3, in);
  if (!n.device.empty()) wire::WriteBytesField(out, 4, n.device);
  EncodeAttrMapTo(n.attr, 5, out);
}

}  // namespace

Status DecodeTensorProto(std::string_view bytes, TensorProto* out) {
  *out = TensorProto();
  return DecodeTensor(bytes, out);
}

std::string EncodeTensorProto(const TensorProto& tensor) {
  std::string out;
  EncodeTensorTo(tensor, &out);
  return out;
}

Status DecodeNodeDef(std::string_view bytes, NodeDef* out) {
  *out = NodeDef();
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    switch (field) {
      case 1:
        RETURN_IF_ERROR(ReadString(&r, wt, &out->name));
        break;
      case 2:
        RETURN_IF_ERROR(ReadString(&r, wt, &out->op));
        break;
      case 3: {
        std::string s;
        RETURN_IF_ERROR(ReadString(&r, wt, &s));
        out->input.push_back(std::move(s));
        break;
      }
      case 4:
        RETURN_IF_ERROR(ReadString(&r, wt, &out->device));
        break;
      case 5: {
        RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "NodeDef.attr"));
        std::string_view v;
        RETURN_IF_ERROR(r.ReadBytes(&v));
        RETURN_IF_ERROR(DecodeAttrMapEntry(v, &out->attr, 0));
        break;
      }
      default:
        RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

std::string EncodeNodeDef(const NodeDef& node) {
  std::string out;
  EncodeNodeTo(node, &out);
  return out;
}

namespace {

// OpDef.ArgDef: name = 1, type = 3 (other fields skipped).
Status DecodeArg(std::string_view bytes, FunctionArg* out) {
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    if (field == 1) {
      RETURN_IF_ERROR(ReadString(&r, wt, &out->name));
    } else if (field == 3 && wt == wire::kVarint) {
      RETURN_IF_ERROR(ReadDataType(&r, &out->type));
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

std::string EncodeArg(const FunctionArg& a) {
  std::string out;
  wire::WriteBytesField(&out, 1, a.name);
  if (a.type != DT_INVALID) wire::WriteVarintField(&out, 3, static_cast<uint64_t>(a.type));
  return out;
}

}  // namespace

// FunctionDef: signature = 1 (OpDef: name = 1, input_arg = 2, output_arg = 3), node_def = 3,
// ret = 4 (map<string, string>).
Status DecodeFunctionDef(std::string_view bytes, FunctionDef* out) {
  *out = FunctionDef();
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    std::string_view v;
    if (field == 1 || field == 3 || field == 4) {
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "FunctionDef field"));
      RETURN_IF_ERROR(r.ReadBytes(&v));
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
      continue;
    }
    if (field == 1) {
      Reader sr(v);
      while (!sr.done()) {
        uint32_t f;
        int w;
        RETURN_IF_ERROR(sr.ReadTag(&f, &w));
        if (f == 1) {
          RETURN_IF_ERROR(ReadString(&sr, w, &out->name));
        } else if (f == 2 || f == 3) {
          RETURN_IF_ERROR(CheckType(w, wire::kLengthDelimited, "OpDef arg"));
          std::string_view ab;
          RETURN_IF_ERROR(sr.ReadBytes(&ab));
          FunctionArg arg;
          RETURN_IF_ERROR(DecodeArg(ab, &arg));
          (f == 2 ? out->input_args : out->output_args).push_back(std::move(arg));
        } else {
          RETURN_IF_ERROR(sr.Skip(w));
        }
      }
    } else if (field == 3) {
      out->node_def.emplace_back();
      RETURN_IF_ERROR(DecodeNodeDef(v, &out->node_def.back()));
    } else {  // ret map entry
      Reader er(v);
      std::string key, value;
      while (!er.done()) {
        uint32_t f;
        int w;
        RETURN_IF_ERROR(er.ReadTag(&f, &w));
        if (f == 1) {
          RETURN_IF_ERROR(ReadString(&er, w, &key));
        } else if (f == 2) {
          RETURN_IF_ERROR(ReadString(&er, w, &value));
        } else {
          RETURN_IF_ERROR(er.Skip(w));
        }
      }
      out->ret[key] = value;
    }
  }
  return Status::OK();
}

std::string EncodeFunctionDef(const FunctionDef& f) {
  std::string sig;
  wire::WriteBytesField(&sig, 1, f.name);
  for (const auto& a : f.input_args) wire::WriteBytesField(&sig, 2, EncodeArg(a));
  for (const auto& a : f.output_args) wire::WriteBytesField(&sig, 3, EncodeArg(a));
  std::string out;
  wire::WriteBytesField(&out, 1, sig);
  for (const auto& n : f.node_def) wire::WriteBytesField(&out, 3, EncodeNodeDef(n));
  for (const auto& kv : f.ret) {
    std::string entry;
    wire::WriteBytesField(&entry, 1, kv.first);
    wire::WriteBytesField(&entry, 2, kv.second);
    wire::WriteBytesField(&out, 4, entry);
  }
  return out;
}

Status DecodeGraphDef(std::string_view bytes, GraphDef* out) {
  *out = GraphDef();
  Reader r(bytes);
  while (!r.done()) {
    uint32_t field;
    int wt;
    RETURN_IF_ERROR(r.ReadTag(&field, &wt));
    if (field == 1) {
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "GraphDef.node"));
      std::string_view v;
      RETURN_IF_ERROR(r.ReadBytes(&v));
      out->node.emplace_back();
      RETURN_IF_ERROR(DecodeNodeDef(v, &out->node.back()));
    } else if (field == 2) {  // FunctionDefLibrary
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "GraphDef.library"));
      std::string_view lib;
      RETURN_IF_ERROR(r.ReadBytes(&lib));
      Reader lr(lib);
      while (!lr.done()) {
        uint32_t f;
        int w;
        RETURN_IF_ERROR(lr.ReadTag(&f, &w));
        if (f == 1) {
          RETURN_IF_ERROR(CheckType(w, wire::kLengthDelimited, "FunctionDefLibrary.function"));
          std::string_view fb;
          RETURN_IF_ERROR(lr.ReadBytes(&fb));
          out->functions.emplace_back();
          RETURN_IF_ERROR(DecodeFunctionDef(fb, &out->functions.back()));
        } else {
          RETURN_IF_ERROR(lr.Skip(w));
        }
      }
    } else if (field == 4) {
      RETURN_IF_ERROR(CheckType(wt, wire::kLengthDelimited, "GraphDef.versions"));
      std::string_view v;
      RETURN_IF_ERROR(r.ReadBytes(&v));
      Reader vr(v);
      while (!vr.done()) {
        uint32_t f;
        int w;
        RETURN_IF_ERROR(vr.ReadTag(&f, &w));
        if (f == 1 && w == wire::kVarint) {
          RETURN_IF_ERROR(ReadInt32(&vr, &out->producer));
        } else if (f == 2 && w == wire::kVarint) {
          RETURN_IF_ERROR(ReadInt32(&vr, &out->min_consumer));
        } else {
          RETURN_IF_ERROR(vr.Skip(w));
        }
      }
    } else {
      RETURN_IF_ERROR(r.Skip(wt));
    }
  }
  return Status::OK();
}

std::string EncodeGraphDef(const GraphDef& graph) {
  std::string out;
  for (const auto& n : graph.node) {
    std::string node;
    EncodeNodeTo(n, &node);
    wire::WriteBytesField(&out, 1, node);
  }
  if (!graph.functions.empty()) {
    std::string lib;
    for (const auto& f : graph.functions) wire::WriteBytesField(&lib, 1, EncodeFunctionDef(f));
    wire::WriteBytesField(&out, 2, lib);
  }
  std::string versions;
  if (graph.producer) wire::WriteVarintField(&versions, 1, static_cast<uint64_t>(static_cast<int64_t>(graph.producer)));
  if (graph.min_consumer) wire::WriteVarintField(&versions, 2, static_cast<uint64_t>(static_cast<int64_t>(graph.min_consumer)));
  wire::WriteBytesField(&out, 4, versions);
  return out;
}

}  // namespace graphrt
