// Readers (TF1's resource-handle forms): TextLineReaderV2, FixedLengthRecordReaderV2,
// WholeFileReaderV2, and ReaderReadV2, ReaderReadUpToV2, ReaderNumRecordsProducedV2,
// ReaderNumWorkUnitsCompletedV2, ReaderResetV2. A reader takes filenames (work units) from a string
// queue and reads records from real files. Also the record parsers DecodeCSV and DecodeRaw.
#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "graphrt/kernels/attrs.h"
#include "graphrt/kernels/kernel_util.h"
#include "graphrt/kernels/registry.h"
#include "graphrt/runtime/queue.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {
namespace {

class ReaderResource : public Resource {
 public:
  enum class Kind { kTextLine, kFixedLength, kWholeFile };
  struct Options {
    Kind kind = Kind::kTextLine;
    int64_t skip_header_lines = 0;
    int64_t header_bytes = 0, record_bytes = 0, footer_bytes = 0, hop_bytes = 0;
    std::string name;
  };
  explicit ReaderResource(const Options& o) : o_(o) {}
  std::string DebugString() const override { return "Reader '" + o_.name + "'"; }

  // Reads n records (Read: n = 1, crossing to the next file as needed). ReadUpTo (`up_to`) stops
  // at the end of a file once it has produced a record, as TF's ReaderBase.
  Status Read(OpKernelContext* ctx, QueueResource* queue, int64_t n, bool up_to, std::vector<std::string>* keys,
              std::vector<std::string>* values) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t produced = 0;
    while (produced < n) {
      if (!in_progress_) {
        Tuple t;
        RETURN_IF_ERROR(queue->Dequeue(ctx, -1, &t));
        if (t.size() != 1 || t[0].dtype() != DT_STRING || t[0].num_elements() != 1) {
          return InvalidArgument("Expected to dequeue a one-element string tensor from the queue of work units");
        }
        work_ = t[0].data<std::string>()[0];
        RETURN_IF_ERROR(StartWork());
        in_progress_ = true;
        ++work_started_;
      }
      bool at_end = false;
      std::string key, value;
      RETURN_IF_ERROR(ReadOne(&key, &value, &at_end));
      if (!at_end) {
        keys->push_back(std::move(key));
        values->push_back(std::move(value));
        ++produced;
        ++num_records_produced_;
        continue;
      }
      FinishWork();
      if (up_to && produced > 0) break;
    }
    return Status::OK();
  }

  int64_t num_records_produced() const { return num_records_produced_.load(); }
  int64_t num_work_units_completed() const { return work_finished_.load(); }
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    FinishWork();
    work_.clear();
    num_records_produced_ = 0;
    work_started_ = 0;
    work_finished_ = 0;
  }

 private:
  Status NotFoundFile() const { return NotFound(work_ + "; No such file or directory"); }

  Status StartWork() {
    line_number_ = 0;
    record_number_ = 0;
    whole_done_ = false;
    if (o_.kind == Kind::kWholeFile) return Status::OK();
    in_.close();
    in_.clear();
    in_.open(work_, std::ios::binary);
    if (!in_) return NotFoundFile();
    if (o_.kind == Kind::kTextLine) {
      std::string line;
      for (int64_t i = 0; i < o_.skip_header_lines && std::getline(in_, line); ++i) ++line_number_;
    } else {
      in_.seekg(0, std::ios::end);
      const int64_t size = static_cast<int64_t>(in_.tellg());
      pos_ = o_.header_bytes;
      limit_ = size - o_.footer_bytes;
      in_.clear();
    }
    return Status::OK();
  }

  void FinishWork() {
    if (in_progress_) work_finished_.store(work_started_);
    in_progress_ = false;
    in_.close();
    in_.clear();
  }

  Status ReadOne(std::string* key, std::string* value, bool* at_end) {
    switch (o_.kind) {
      case Kind::kTextLine: {
        if (!std::getline(in_, *value)) {
          *at_end = true;
          return Status::OK();
        }
        ++line_number_;
        if (!value->empty() && value->back() == '\r') value->pop_back();
        *key = work_ + ":" + std::to_string(line_number_);
        return Status::OK();
      }
      case Kind::kFixedLength: {
        if (pos_ + o_.record_bytes > limit_) {
          *at_end = true;
          return Status::OK();
        }
        value->assign(static_cast<size_t>(o_.record_bytes), '\0');
        in_.seekg(pos_);
        in_.read(value->data(), o_.record_bytes);
        if (in_.gcount() != o_.record_bytes) {
          return Status(Code::kDataLoss, "Could not read " + std::to_string(o_.record_bytes) + " bytes at offset " +
                                             std::to_string(pos_) + " of " + work_);
        }
        *key = work_ + ":" + std::to_string(record_number_++);
        pos_ += o_.hop_bytes > 0 ? o_.hop_bytes : o_.record_bytes;
        return Status::OK();
      }
      case Kind::kWholeFile: {
        if (whole_done_) {
          *at_end = true;
          return Status::OK();
        }
        std::ifstream f(work_, std::ios::binary);
        if (!f) return NotFoundFile();
        std::ostringstream data;
        data << f.rdbuf();
        *value = data.str();
        *key = work_;
        whole_done_ = true;
        return Status::OK();
      }
    }
    return Internal("unknown reader kind");
  }

  Options o_;
  std::mutex mu_;
  bool in_progress_ = false;
  std::string work_;
  std::ifstream in_;
  int64_t line_number_ = 0, record_number_ = 0, pos_ = 0, limit_ = 0;
  bool whole_done_ = false;
  std::atomic<int64_t> num_records_produced_{0}, work_started_{0}, work_finished_{0};
};

StatusOr<std::shared_ptr<ReaderResource>> LookupReader(ResourceMgr* resources, const Tensor& handle) {
  if (resources == nullptr) return Internal("Reader ops need a session resource manager");
  std::string container, name;
  RETURN_IF_ERROR(DecodeResourceHandle(handle, &container, &name));
  std::shared_ptr<ReaderResource> r = resources->Lookup<ReaderResource>(container, name);
  if (r == nullptr) return NotFound("Resource " + container + "/" + name + "/ReaderInterface does not exist.");
  return r;
}

template <ReaderResource::Kind kKind>
class ReaderHandleKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    o_.kind = kKind;
    o_.skip_header_lines = QueueIntAttr(def, "skip_header_lines", 0);
    o_.header_bytes = QueueIntAttr(def, "header_bytes", 0);
    o_.record_bytes = QueueIntAttr(def, "record_bytes", 0);
    o_.footer_bytes = QueueIntAttr(def, "footer_bytes", 0);
    o_.hop_bytes = QueueIntAttr(def, "hop_bytes", 0);
    if (o_.skip_header_lines < 0) return InvalidArgument("skip_header_lines must be >= 0 not " + std::to_string(o_.skip_header_lines));
    if (kKind == ReaderResource::Kind::kFixedLength) {
      if (o_.record_bytes <= 0) return InvalidArgument("record_bytes must be > 0 not " + std::to_string(o_.record_bytes));
      if (o_.header_bytes < 0) return InvalidArgument("header_bytes must be >= 0 not " + std::to_string(o_.header_bytes));
      if (o_.footer_bytes < 0) return InvalidArgument("footer_bytes must be >= 0 not " + std::to_string(o_.footer_bytes));
      if (o_.hop_bytes < 0) return InvalidArgument("hop_bytes must be >= 0 not " + std::to_string(o_.hop_bytes));
      const std::string encoding = QueueStrAttr(def, "encoding", "");
      if (!encoding.empty()) return Unimplemented("FixedLengthRecordReader: compressed input (encoding '" + encoding + "') is not supported");
    }
    key_ = ResourceKey(def);
    o_.name = key_.second;
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    if (env().resources == nullptr) return Internal("Reader ops need a session resource manager");
    const ReaderResource::Options& o = o_;
    ASSIGN_OR_RETURN(std::shared_ptr<ReaderResource> r,
                     env().resources->LookupOrCreate<ReaderResource>(key_.first, key_.second, [&o]() {
                       return StatusOr<std::shared_ptr<ReaderResource>>(std::make_shared<ReaderResource>(o));
                     }));
    (void)r;
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_RESOURCE, Shape()));
    out.data<std::string>()[0] = EncodeResourceHandle(key_.first, key_.second);
    return Status::OK();
  }

 private:
  ReaderResource::Options o_;
  std::pair<std::string, std::string> key_;
};

template <bool kUpTo>
class ReaderReadKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<ReaderResource> reader, LookupReader(env().resources, ctx->input(0)));
    ASSIGN_OR_RETURN(std::shared_ptr<QueueResource> queue, LookupQueue(env().resources, ctx->input(1)));
    int64_t n = 1;
    if (kUpTo) {
      ASSIGN_OR_RETURN(n, ReadIndexScalar(ctx->input(2), "num_records"));
      if (n <= 0) return InvalidArgument("num_records must be > 0 not " + std::to_string(n));
    }
    std::vector<std::string> keys, values;
    RETURN_IF_ERROR(reader->Read(ctx, queue.get(), n, kUpTo, &keys, &values));
    const int64_t got = static_cast<int64_t>(keys.size());
    const Shape shape = kUpTo ? Shape({got}) : Shape();
    ASSIGN_OR_RETURN(Tensor k, ctx->AllocateOutput(0, DT_STRING, shape));
    ASSIGN_OR_RETURN(Tensor v, ctx->AllocateOutput(1, DT_STRING, shape));
    for (int64_t i = 0; i < got; ++i) {
      k.data<std::string>()[i] = std::move(keys[i]);
      v.data<std::string>()[i] = std::move(values[i]);
    }
    return Status::OK();
  }
};

// kWhat: 0 = NumRecordsProduced, 1 = NumWorkUnitsCompleted, 2 = Reset.
template <int kWhat>
class ReaderStateKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef&) { return Status::OK(); }
  Status Compute(OpKernelContext* ctx) override {
    ASSIGN_OR_RETURN(std::shared_ptr<ReaderResource> reader, LookupReader(env().resources, ctx->input(0)));
    if (kWhat == 2) {
      reader->Reset();
      return Status::OK();
    }
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, DT_INT64, Shape()));
    out.data<int64_t>()[0] = kWhat == 0 ? reader->num_records_produced() : reader->num_work_units_completed();
    return Status::OK();
  }
};

// ---- DecodeCSV ---------------------------------------------------------------------------------

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool ParseInt(const std::string& field, int64_t lo, int64_t hi, int64_t* out) {
  const std::string s = Trim(field);
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool ParseDouble(const std::string& field, double* out) {
  const std::string s = Trim(field);
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

class DecodeCSVKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    const AttrValue* types = FindAttr(def, "OUT_TYPE");
    if (types == nullptr || types->kind != AttrValue::Kind::kList) return InvalidArgument("DecodeCSV needs the OUT_TYPE attr");
    types_ = types->list.type;
    for (DataType t : types_) {
      if (t != DT_FLOAT && t != DT_DOUBLE && t != DT_INT32 && t != DT_INT64 && t != DT_STRING) {
        return InvalidArgument("DecodeCSV does not support output type " + DataTypeName(t));
      }
    }
    const std::string delim = QueueStrAttr(def, "field_delim", ",");
    if (delim.size() != 1) return InvalidArgument("field_delim should be only 1 char");
    delim_ = delim[0];
    ASSIGN_OR_RETURN(use_quote_, GetBoolAttr(def, "use_quote_delim", true));
    na_value_ = QueueStrAttr(def, "na_value", "");
    const AttrValue* cols = FindAttr(def, "select_cols");
    if (cols != nullptr && cols->kind == AttrValue::Kind::kList) select_cols_ = cols->list.i;
    for (size_t i = 0; i < select_cols_.size(); ++i) {
      if (select_cols_[i] < 0) return InvalidArgument("select_cols contains negative values.");
      if (i > 0 && select_cols_[i] <= select_cols_[i - 1]) return InvalidArgument("select_cols is not strictly increasing.");
    }
    if (!select_cols_.empty() && select_cols_.size() != types_.size()) {
      return InvalidArgument("Length of select_cols and record_defaults do not match.");
    }
    return Status::OK();
  }

  Status Compute(OpKernelContext* ctx) override {
    const Tensor& records = ctx->input(0);
    if (records.dtype() != DT_STRING) return InvalidArgument("records must be a string tensor");
    const size_t n = types_.size();
    for (size_t i = 0; i < n; ++i) {
      const Tensor& d = ctx->input(1 + static_cast<int>(i));
      if (d.dtype() != types_[i]) {
        return InvalidArgument("record_defaults[" + std::to_string(i) + "] has type " + DataTypeName(d.dtype()) +
                               " but OUT_TYPE[" + std::to_string(i) + "] is " + DataTypeName(types_[i]));
      }
      if (d.shape().rank() > 1 || d.num_elements() > 1) {
        return InvalidArgument("Shape of a default must be a length-0 or length-1 vector, or a scalar.");
      }
    }
    std::vector<Tensor> outs(n);
    for (size_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(outs[i], ctx->AllocateOutput(static_cast<int>(i), types_[i], records.shape()));
    }
    const std::string* recs = records.data<std::string>();
    std::vector<std::string> fields;
    for (int64_t r = 0; r < records.num_elements(); ++r) {
      RETURN_IF_ERROR(Split(recs[r], r, &fields));
      const size_t want = select_cols_.empty() ? n : static_cast<size_t>(select_cols_.back()) + 1;
      if (select_cols_.empty() ? fields.size() != n : fields.size() < want) {
        return InvalidArgument("Expect " + std::to_string(want) + " fields but have " + std::to_string(fields.size()) +
                               " in record " + std::to_string(r));
      }
      for (size_t f = 0; f < n; ++f) {
        const std::string& field = fields[select_cols_.empty() ? f : static_cast<size_t>(select_cols_[f])];
        RETURN_IF_ERROR(Convert(ctx, f, r, field, &outs[f]));
      }
    }
    for (size_t i = 0; i < n; ++i) ctx->set_output(static_cast<int>(i), std::move(outs[i]));
    return Status::OK();
  }

 private:
  Status Split(const std::string& rec, int64_t r, std::vector<std::string>* fields) const {
    fields->clear();
    size_t i = 0;
    const size_t len = rec.size();
    while (true) {
      std::string field;
      if (use_quote_ && i < len && rec[i] == '"') {
        ++i;
        bool closed = false;
        while (i < len) {
          if (rec[i] == '"') {
            if (i + 1 < len && rec[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          field += rec[i++];
        }
        if (!closed) {
          return InvalidArgument("Quoted field has to end with quote followed by delim or end, in record " + std::to_string(r));
        }
        if (i < len && rec[i] != delim_) {
          return InvalidArgument("Quote inside a string has to be escaped by another quote, in record " + std::to_string(r));
        }
      } else {
        const size_t start = i;
        while (i < len && rec[i] != delim_) ++i;
        field = rec.substr(start, i - start);
        if (use_quote_ && field.find('"') != std::string::npos) {
          return InvalidArgument("Unquoted fields cannot have quotes inside, in record " + std::to_string(r));
        }
      }
      fields->push_back(std::move(field));
      if (i >= len) break;
      ++i;  // the delimiter
      if (i == len) {
        fields->push_back(std::string());
        break;
      }
    }
    return Status::OK();
  }

  Status Convert(OpKernelContext* ctx, size_t f, int64_t r, const std::string& field, Tensor* out) const {
    const DataType t = types_[f];
    const Tensor& def = ctx->input(1 + static_cast<int>(f));
    const bool missing = field.empty() || field == na_value_;
    if (missing && def.num_elements() == 0) {
      return InvalidArgument("Field " + std::to_string(f) + " is required but missing in record " + std::to_string(r) + "!");
    }
    auto bad = [&](const char* what) {
      return InvalidArgument("Field " + std::to_string(f) + " in record " + std::to_string(r) + " is not a valid " + what +
                             ": " + field);
    };
    switch (t) {
      case DT_STRING:
        out->data<std::string>()[r] = missing ? def.data<std::string>()[0] : field;
        break;
      case DT_INT32: {
        int64_t v = 0;
        if (missing) {
          v = def.data<int32_t>()[0];
        } else if (!ParseInt(field, INT32_MIN, INT32_MAX, &v)) {
          return bad("int32");
        }
        out->data<int32_t>()[r] = static_cast<int32_t>(v);
        break;
      }
      case DT_INT64: {
        int64_t v = 0;
        if (missing) {
          v = def.data<int64_t>()[0];
        } else if (!ParseInt(field, INT64_MIN, INT64_MAX, &v)) {
          return bad("int64");
        }
        out->data<int64_t>()[r] = v;
        break;
      }
      case DT_FLOAT: {
        double v = 0;
        if (missing) {
          v = def.data<float>()[0];
        } else if (!ParseDouble(field, &v)) {
          return bad("float");
        }
        out->data<float>()[r] = static_cast<float>(v);
        break;
      }
      case DT_DOUBLE: {
        double v = 0;
        if (missing) {
          v = def.data<double>()[0];
        } else if (!ParseDouble(field, &v)) {
          return bad("double");
        }
        out->data<double>()[r] = v;
        break;
      }
      default:
        return InvalidArgument("DecodeCSV: unsupported type " + DataTypeName(t));
    }
    return Status::OK();
  }

  std::vector<DataType> types_;
  char delim_ = ',';
  bool use_quote_ = true;
  std::string na_value_;
  std::vector<int64_t> select_cols_;
};

// ---- DecodeRaw ---------------------------------------------------------------------------------

class DecodeRawKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  Status Init(const NodeDef& def) {
    ASSIGN_OR_RETURN(out_type_, GetTypeAttr(def, "out_type"));
    if (IsStringLike(out_type_) || DataTypeSize(out_type_) == 0) {
      return InvalidArgument("DecodeRaw does not support out_type " + DataTypeName(out_type_));
    }
    ASSIGN_OR_RETURN(little_endian_, GetBoolAttr(def, "little_endian", true));
    return Status::OK();
  }
  Status Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    if (in.dtype() != DT_STRING) return InvalidArgument("DecodeRaw input must be a string tensor");
    const size_t sz = DataTypeSize(out_type_);
    const std::string* s = in.data<std::string>();
    const int64_t count = in.num_elements();
    std::vector<int64_t> dims = in.shape().dims();
    if (count == 0) {
      dims.push_back(0);
      ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
      ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, out_type_, shape));
      (void)out;
      return Status::OK();
    }
    const size_t len = s[0].size();
    if (len % sz != 0) {
      return InvalidArgument("Input to DecodeRaw has length " + std::to_string(len) + " that is not a multiple of " +
                             std::to_string(sz) + ", the size of " + DataTypeName(out_type_));
    }
    for (int64_t i = 1; i < count; ++i) {
      if (s[i].size() != len) {
        return InvalidArgument("DecodeRaw requires input strings to all be the same size, but element " +
                               std::to_string(i) + " has size " + std::to_string(s[i].size()) + " != " + std::to_string(len));
      }
    }
    dims.push_back(static_cast<int64_t>(len / sz));
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    ASSIGN_OR_RETURN(Tensor out, ctx->AllocateOutput(0, out_type_, shape));
    char* dst = static_cast<char*>(out.raw());
    for (int64_t i = 0; i < count; ++i) {
      if (len > 0) std::memcpy(dst + i * len, s[i].data(), len);
    }
    if (!little_endian_ && sz > 1) {  // the host is little-endian: swap each element's bytes
      const int64_t n = out.num_elements();
      for (int64_t e = 0; e < n; ++e) {
        char* p = dst + e * sz;
        for (size_t a = 0, b = sz - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
      }
    }
    if (out_type_ == DT_BOOL) {  // any non-zero byte is true
      bool* b = out.data<bool>();
      const unsigned char* raw = reinterpret_cast<const unsigned char*>(dst);
      for (int64_t e = 0; e < out.num_elements(); ++e) b[e] = raw[e] != 0;
    }
    return Status::OK();
  }

 private:
  DataType out_type_ = DT_INVALID;
  bool little_endian_ = true;
};

void RegisterReaderKernels(OpRegistry* r) {
  using K = ReaderResource::Kind;
  r->RegisterOp({"TextLineReaderV2", FixedArity(0, 1), true});
  r->RegisterKernel("TextLineReaderV2", "", {}, MakeFactory<ReaderHandleKernel<K::kTextLine>>());
  r->RegisterOp({"FixedLengthRecordReaderV2", FixedArity(0, 1), true});
  r->RegisterKernel("FixedLengthRecordReaderV2", "", {}, MakeFactory<ReaderHandleKernel<K::kFixedLength>>());
  r->RegisterOp({"WholeFileReaderV2", FixedArity(0, 1), true});
  r->RegisterKernel("WholeFileReaderV2", "", {}, MakeFactory<ReaderHandleKernel<K::kWholeFile>>());
  r->RegisterOp({"ReaderReadV2", FixedArity(2, 2), true});
  r->RegisterKernel("ReaderReadV2", "", {}, MakeFactory<ReaderReadKernel<false>>());
  r->RegisterOp({"ReaderReadUpToV2", FixedArity(3, 2), true});
  r->RegisterKernel("ReaderReadUpToV2", "", {}, MakeFactory<ReaderReadKernel<true>>());
  r->RegisterOp({"ReaderNumRecordsProducedV2", FixedArity(1, 1), true});
  r->RegisterKernel("ReaderNumRecordsProducedV2", "", {}, MakeFactory<ReaderStateKernel<0>>());
  r->RegisterOp({"ReaderNumWorkUnitsCompletedV2", FixedArity(1, 1), true});
  r->RegisterKernel("ReaderNumWorkUnitsCompletedV2", "", {}, MakeFactory<ReaderStateKernel<1>>());
  r->RegisterOp({"ReaderResetV2", FixedArity(1, 0), true});
  r->RegisterKernel("ReaderResetV2", "", {}, MakeFactory<ReaderStateKernel<2>>());

  r->RegisterOp({"DecodeCSV", [](const NodeDef& def) -> StatusOr<OpArity> {
                   const AttrValue* a = FindAttr(def, "OUT_TYPE");
                   if (a == nullptr || a->kind != AttrValue::Kind::kList) {
                     return InvalidArgument("NodeDef '" + def.name + "' (DecodeCSV) is missing list(type) attr 'OUT_TYPE'");
                   }
                   const int n = static_cast<int>(a->list.type.size());
                   return OpArity{1 + n, n};
                 }});
  r->RegisterKernel("DecodeCSV", "", {}, MakeFactory<DecodeCSVKernel>());
  r->RegisterOp({"DecodeRaw", FixedArity(1, 1)});
  r->RegisterKernel("DecodeRaw", "out_type",
                    {DT_HALF, DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT16, DT_UINT8, DT_INT16, DT_INT8, DT_INT64, DT_BOOL},
                    MakeFactory<DecodeRawKernel>());
}

}  // namespace

GRAPHRT_REGISTER_KERNELS(RegisterReaderKernels);

}  // namespace graphrt
