#include "graphrt/runtime/queue.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace graphrt {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWaitSlice = std::chrono::milliseconds(10);

std::string ShapeString(const TensorShapeProto& s) {
  if (s.unknown_rank) return "<unknown>";
  std::string out = "[";
  for (size_t i = 0; i < s.dims.size(); ++i) {
    if (i) out += ",";
    out += s.dims[i] < 0 ? "?" : std::to_string(s.dims[i]);
  }
  return out + "]";
}

// `dims` (a runtime shape, or its tail from `skip`) fits the declared shape (-1 = any size).
bool Compatible(const TensorShapeProto& want, const std::vector<int64_t>& dims, size_t skip) {
  if (want.unknown_rank) return true;
  if (dims.size() - skip != want.dims.size()) return false;
  for (size_t i = 0; i < want.dims.size(); ++i) {
    if (want.dims[i] >= 0 && want.dims[i] != dims[skip + i]) return false;
  }
  return true;
}

bool FullyDefined(const TensorShapeProto& s) {
  if (s.unknown_rank) return false;
  for (int64_t d : s.dims) {
    if (d < 0) return false;
  }
  return true;
}

// Copies `count` elements src[src_off..] -> dst[dst_off..] (same dtype, offsets in elements).
void CopyElements(const Tensor& src, int64_t src_off, const Tensor& dst, int64_t dst_off, int64_t count) {
  if (count <= 0) return;
  if (IsStringLike(src.dtype())) {
    const std::string* s = src.data<std::string>() + src_off;
    std::string* d = dst.data<std::string>() + dst_off;
    for (int64_t k = 0; k < count; ++k) d[k] = s[k];
    return;
  }
  const size_t sz = DataTypeSize(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw()) + dst_off * sz, static_cast<const char*>(src.raw()) + src_off * sz,
              count * sz);
}

StatusOr<Tensor> AllocateZeroed(DataType dtype, const std::vector<int64_t>& dims) {
  ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
  ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  if (!IsStringLike(dtype) && t.bytes() > 0) std::memset(t.raw(), 0, t.bytes());
  return t;
}

// Copies element `e` into row `row` of `out` (shape [n] + padded), at the origin of the row.
void CopyPadded(const Tensor& e, Tensor* out, int64_t row) {
  const std::vector<int64_t>& s = e.shape().dims();
  std::vector<int64_t> padded(out->shape().dims().begin() + 1, out->shape().dims().end());
  int64_t row_size = 1;
  for (int64_t d : padded) row_size *= d;
  const int r = static_cast<int>(s.size());
  if (r == 0) {
    CopyElements(e, 0, *out, row * row_size, 1);
    return;
  }
  if (e.num_elements() == 0) return;
  // Strides of the padded row.
  std::vector<int64_t> stride(r, 1);
  for (int k = r - 2; k >= 0; --k) stride[k] = stride[k + 1] * padded[k + 1];
  const int64_t inner = s[r - 1];
  std::vector<int64_t> idx(r > 1 ? r - 1 : 0, 0);
  int64_t src = 0;
  while (true) {
    int64_t dst = row * row_size;
    for (int k = 0; k < r - 1; ++k) dst += idx[k] * stride[k];
    CopyElements(e, src, *out, dst, inner);
    src += inner;
    int k = r - 2;
    for (; k >= 0; --k) {
      if (++idx[k] < s[k]) break;
      idx[k] = 0;
    }
    if (k < 0) break;
  }
}

}  // namespace

// A place in an attempt line; destroyed with the queue's mutex held.
struct QueueResource::Line {
  Line(std::list<uint64_t>* line, uint64_t ticket, std::condition_variable* cv)
      : line_(line), cv_(cv), it_(line->insert(line->end(), ticket)) {}
  ~Line() {
    line_->erase(it_);
    cv_->notify_all();
  }
  bool head() const { return line_->begin() == it_; }

 private:
  std::list<uint64_t>* line_;
  std::condition_variable* cv_;
  std::list<uint64_t>::iterator it_;
};

QueueResource::QueueResource(const Options& options) : options_(options) {
  if (options.seed == 0 && options.seed2 == 0) {
    std::random_device rd;
    rng_.seed((uint64_t(rd()) << 32) ^ rd());
  } else {
    rng_.seed((uint64_t(options.seed) << 32) ^ uint64_t(options.seed2) ^ 0x9E3779B97F4A7C15ull);
  }
}

StatusOr<std::shared_ptr<QueueResource>> QueueResource::Create(const Options& options) {
  if (options.types.empty()) return InvalidArgument("Queue must have at least one component (component_types is empty)");
  if (!options.shapes.empty() && options.shapes.size() != options.types.size()) {
    return InvalidArgument("Queue shapes must have the same length as component_types: " +
                           std::to_string(options.shapes.size()) + " vs " + std::to_string(options.types.size()));
  }
  if ((options.kind == Kind::kPadding || options.kind == Kind::kPriority) && options.shapes.empty()) {
    return InvalidArgument("Shapes must be provided for all components of a " +
                           std::string(options.kind == Kind::kPadding ? "PaddingFIFOQueue" : "PriorityQueue"));
  }
  if (options.kind == Kind::kPriority) {
    if (options.types[0] != DT_INT64) return InvalidArgument("PriorityQueue's first component must be the int64 priority");
  }
  if (options.kind != Kind::kPadding) {
    for (const auto& s : options.shapes) {
      if (!FullyDefined(s)) return InvalidArgument("All shapes must be fully defined, got " + ShapeString(s));
    }
  } else {
    for (const auto& s : options.shapes) {
      if (s.unknown_rank) return InvalidArgument("PaddingFIFOQueue shapes must have a known rank");
    }
  }
  if (options.min_after_dequeue < 0) return InvalidArgument("min_after_dequeue must be >= 0");
  return std::shared_ptr<QueueResource>(new QueueResource(options));
}

const char* QueueResource::KindName() const {
  switch (options_.kind) {
    case Kind::kFIFO: return "FIFOQueue";
    case Kind::kRandomShuffle: return "RandomShuffleQueue";
    case Kind::kPadding: return "PaddingFIFOQueue";
    case Kind::kPriority: return "PriorityQueue";
  }
  return "Queue";
}

std::string QueueResource::DebugString() const { return std::string(KindName()) + " '" + options_.name + "'"; }

Status QueueResource::Matches(const Options& o) const {
  const std::string head = "Shared queue '" + options_.name + "' ";
  if (o.kind != options_.kind) return InvalidArgument(head + "is a " + KindName() + " of another kind");
  if (o.types != options_.types) {
    std::string have, want;
    for (DataType t : options_.types) have += (have.empty() ? "" : ", ") + DataTypeName(t);
    for (DataType t : o.types) want += (want.empty() ? "" : ", ") + DataTypeName(t);
    return InvalidArgument(head + "has component types " + have + " but requested component types were " + want);
  }
  if (o.capacity != options_.capacity) {
    return InvalidArgument(head + "has capacity " + std::to_string(options_.capacity) + " but requested capacity was " +
                           std::to_string(o.capacity));
  }
  bool same_shapes = o.shapes.size() == options_.shapes.size();
  for (size_t i = 0; same_shapes && i < o.shapes.size(); ++i) {
    same_shapes = o.shapes[i].dims == options_.shapes[i].dims && o.shapes[i].unknown_rank == options_.shapes[i].unknown_rank;
  }
  if (!same_shapes) return InvalidArgument(head + "has other component shapes than requested");
  if (o.min_after_dequeue != options_.min_after_dequeue) {
    return InvalidArgument(head + "has min_after_dequeue " + std::to_string(options_.min_after_dequeue) +
                           " but requested min_after_dequeue was " + std::to_string(o.min_after_dequeue));
  }
  return Status::OK();
}

Status QueueResource::ValidateTuple(const Tuple& tuple, bool many, int64_t* batch) const {
  const size_t n = options_.types.size();
  if (tuple.size() != n) {
    return InvalidArgument("Wrong number of components in tuple. Expected " + std::to_string(n) + ", got " +
                           std::to_string(tuple.size()));
  }
  *batch = 1;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = tuple[i];
    if (t.dtype() != options_.types[i]) {
      return InvalidArgument("Type mismatch in tuple component " + std::to_string(i) + ". Expected " +
                             DataTypeName(options_.types[i]) + ", got " + DataTypeName(t.dtype()));
    }
    const std::vector<int64_t>& dims = t.shape().dims();
    if (many) {
      if (dims.empty()) {
        return InvalidArgument("Shape mismatch in tuple component " + std::to_string(i) +
                               ". EnqueueMany expects a batch (rank >= 1), got a scalar");
      }
      if (i == 0) {
        *batch = dims[0];
      } else if (dims[0] != *batch) {
        return InvalidArgument("Shape mismatch in tuple component " + std::to_string(i) +
                               ": all components of an EnqueueMany batch must have the same size in dimension 0, got " +
                               std::to_string(dims[0]) + " and " + std::to_string(*batch));
      }
    }
    const bool declared = !options_.shapes.empty();
    if (declared && !Compatible(options_.shapes[i], dims, many ? 1 : 0)) {
      return InvalidArgument("Shape mismatch in tuple component " + std::to_string(i) + ". Expected " +
                             (many ? "[?," + ShapeString(options_.shapes[i]).substr(1) : ShapeString(options_.shapes[i])) +
                             ", got " + t.shape().ToString());
    }
    if (options_.kind == Kind::kPriority && i == 0 && dims.size() != (many ? 1u : 0u)) {
      return InvalidArgument("PriorityQueue's priority (component 0) must be a scalar per element, got shape " +
                             t.shape().ToString());
    }
  }
  return Status::OK();
}

Status QueueResource::CopyElement(const Tensor& t, Tensor* out) const {
  if (t.borrowed()) {
    ASSIGN_OR_RETURN(*out, t.Copy());  // a fed array belongs to the caller: never store it
  } else {
    *out = t;
  }
  return Status::OK();
}

StatusOr<Tuple> QueueResource::Slice(const Tuple& batch, int64_t i) const {
  Tuple out;
  out.reserve(batch.size());
  for (const Tensor& t : batch) {
    std::vector<int64_t> dims(t.shape().dims().begin() + 1, t.shape().dims().end());
    ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
    ASSIGN_OR_RETURN(Tensor e, Tensor::Allocate(t.dtype(), shape));
    const int64_t row = shape.num_elements();
    CopyElements(t, i * row, e, 0, row);
    out.push_back(std::move(e));
  }
  return out;
}

Status QueueResource::CheckCanPack() const {
  if (options_.kind == Kind::kPadding) return Status::OK();
  bool ok = !options_.shapes.empty();
  for (const auto& s : options_.shapes) ok = ok && FullyDefined(s);
  if (!ok) {
    return InvalidArgument(std::string(KindName()) +
                           "'s DequeueMany and DequeueUpTo require the components to have specified shapes.");
  }
  return Status::OK();
}

StatusOr<Tuple> QueueResource::Pack(const std::vector<Tuple>& elems) const {
  Tuple out;
  const size_t nc = options_.types.size();
  const int64_t n = static_cast<int64_t>(elems.size());
  for (size_t c = 0; c < nc; ++c) {
    std::vector<int64_t> dims;
    if (options_.kind == Kind::kPadding) {
      const TensorShapeProto& decl = options_.shapes[c];
      std::vector<int64_t> padded(decl.dims.size(), 0);
      for (size_t k = 0; k < decl.dims.size(); ++k) padded[k] = decl.dims[k] >= 0 ? decl.dims[k] : 0;
      for (const Tuple& e : elems) {
        const auto& ed = e[c].shape().dims();
        if (ed.size() != padded.size()) return Internal("PaddingFIFOQueue element of unexpected rank");
        for (size_t k = 0; k < ed.size(); ++k) padded[k] = std::max(padded[k], ed[k]);
      }
      dims.push_back(n);
      dims.insert(dims.end(), padded.begin(), padded.end());
      ASSIGN_OR_RETURN(Tensor t, AllocateZeroed(options_.types[c], dims));
      for (int64_t i = 0; i < n; ++i) CopyPadded(elems[i][c], &t, i);
      out.push_back(std::move(t));
    } else {
      dims.push_back(n);
      const auto& decl = options_.shapes[c].dims;
      dims.insert(dims.end(), decl.begin(), decl.end());
      ASSIGN_OR_RETURN(Shape shape, Shape::Make(dims));
      ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(options_.types[c], shape));
      const int64_t row = n == 0 ? 0 : shape.num_elements() / n;
      for (int64_t i = 0; i < n; ++i) {
        if (elems[i][c].num_elements() != row) return Internal("Queue element of unexpected size");
        CopyElements(elems[i][c], 0, t, i * row, row);
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

size_t QueueResource::StoredLocked() const {
  switch (options_.kind) {
    case Kind::kRandomShuffle: return pool_.size();
    case Kind::kPriority: return by_priority_.size();
    default: return fifo_.size();
  }
}

size_t QueueResource::AvailableLocked() const {
  const size_t stored = StoredLocked();
  if (options_.kind == Kind::kRandomShuffle && !closed_) {
    const size_t keep = static_cast<size_t>(options_.min_after_dequeue);
    return stored > keep ? stored - keep : 0;
  }
  return stored;
}

bool QueueResource::FullLocked() const {
  return options_.capacity >= 0 && StoredLocked() >= static_cast<size_t>(options_.capacity);
}

void QueueResource::PushLocked(Tuple t) {
  switch (options_.kind) {
    case Kind::kRandomShuffle: pool_.push_back(std::move(t)); break;
    case Kind::kPriority: {
      const int64_t p = t[0].data<int64_t>()[0];
      by_priority_.emplace(p, std::move(t));
      break;
    }
    default: fifo_.push_back(std::move(t));
  }
}

Tuple QueueResource::PopLocked() {
  Tuple t;
  switch (options_.kind) {
    case Kind::kRandomShuffle: {
      std::uniform_int_distribution<size_t> pick(0, pool_.size() - 1);
      const size_t i = pick(rng_);
      std::swap(pool_[i], pool_.back());
      t = std::move(pool_.back());
      pool_.pop_back();
      break;
    }
    case Kind::kPriority: {
      auto it = by_priority_.begin();
      t = std::move(it->second);
      by_priority_.erase(it);
      break;
    }
    default:
      t = std::move(fifo_.front());
      fifo_.pop_front();
  }
  return t;
}

void QueueResource::RestoreLocked(std::vector<Tuple>* taken) {
  if (options_.kind == Kind::kFIFO || options_.kind == Kind::kPadding) {
    for (auto it = taken->rbegin(); it != taken->rend(); ++it) fifo_.push_front(std::move(*it));
  } else {
    for (Tuple& t : *taken) PushLocked(std::move(t));
  }
  taken->clear();
  cv_.notify_all();
}

template <typename Pred>
Status QueueResource::WaitLocked(std::unique_lock<std::mutex>* lock, OpKernelContext* ctx, int64_t timeout_ms,
                                 Clock::time_point start, Pred ready) {
  while (true) {
    if (session_closed_) return Cancelled("Session has been closed.");
    if (ready()) break;
    if (ctx != nullptr) {
      lock->unlock();  // the stop check may call back into the binding: never under the queue lock
      Status stop = ctx->CheckStop();
      lock->lock();
      if (!stop.ok()) return stop;
      if (ready()) break;
      if (session_closed_) return Cancelled("Session has been closed.");
    }
    auto slice = std::chrono::duration_cast<Clock::duration>(kWaitSlice);
    if (timeout_ms > 0) {
      const auto deadline = start + std::chrono::milliseconds(timeout_ms);
      const auto now = Clock::now();
      if (now >= deadline) {
        return Status(Code::kDeadlineExceeded, std::string("Timed out waiting for ") + KindName() + " '" +
                                                   options_.name + "' after " + std::to_string(timeout_ms) + " ms");
      }
      slice = std::min(slice, deadline - now);
    }
    cv_.wait_for(*lock, slice);
  }
  return Status::OK();
}

Status QueueResource::Enqueue(OpKernelContext* ctx, const Tuple& tuple, int64_t timeout_ms) {
  int64_t batch = 0;
  RETURN_IF_ERROR(ValidateTuple(tuple, false, &batch));
  Tuple elem(tuple.size());
  for (size_t i = 0; i < tuple.size(); ++i) RETURN_IF_ERROR(CopyElement(tuple[i], &elem[i]));
  std::vector<Tuple> elems;
  elems.push_back(std::move(elem));
  return EnqueueElements(ctx, &elems, timeout_ms);
}

Status QueueResource::EnqueueMany(OpKernelContext* ctx, const Tuple& batch, int64_t timeout_ms) {
  int64_t n = 0;
  RETURN_IF_ERROR(ValidateTuple(batch, true, &n));
  std::vector<Tuple> elems;
  elems.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(Tuple e, Slice(batch, i));
    elems.push_back(std::move(e));
  }
  return EnqueueElements(ctx, &elems, timeout_ms);
}

Status QueueResource::EnqueueElements(OpKernelContext* ctx, std::vector<Tuple>* elems, int64_t timeout_ms) {
  const auto start = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  Line line(&enqueue_line_, next_ticket_++, &cv_);
  size_t i = 0;
  while (true) {
    RETURN_IF_ERROR(WaitLocked(&lock, ctx, timeout_ms, start, [&] {
      return line.head() && (closed_ || i == elems->size() || !FullLocked());
    }));
    if (closed_) return Cancelled(std::string(KindName()) + " '" + options_.name + "' is closed.");
    while (i < elems->size() && !FullLocked()) PushLocked(std::move((*elems)[i++]));
    cv_.notify_all();
    if (i == elems->size()) return Status::OK();
  }
}

Status QueueResource::Take(OpKernelContext* ctx, int64_t n, bool allow_small, int64_t timeout_ms,
                           std::vector<Tuple>* got) {
  const auto start = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  Line line(&dequeue_line_, next_ticket_++, &cv_);
  while (true) {
    Status s = WaitLocked(&lock, ctx, timeout_ms, start, [&] { return line.head() && (closed_ || AvailableLocked() > 0); });
    if (!s.ok()) {
      RestoreLocked(got);
      return s;
    }
    while (static_cast<int64_t>(got->size()) < n && AvailableLocked() > 0) got->push_back(PopLocked());
    cv_.notify_all();
    if (static_cast<int64_t>(got->size()) == n) return Status::OK();
    if (closed_) {
      if (allow_small && !got->empty()) return Status::OK();
      RestoreLocked(got);
      return OutOfRange(std::string(KindName()) + " '" + options_.name +
                        "' is closed and has insufficient elements (requested " + std::to_string(n) +
                        ", current size " + std::to_string(StoredLocked()) + ")");
    }
  }
}

Status QueueResource::Dequeue(OpKernelContext* ctx, int64_t timeout_ms, Tuple* out) {
  std::vector<Tuple> got;
  RETURN_IF_ERROR(Take(ctx, 1, false, timeout_ms, &got));
  *out = std::move(got[0]);
  return Status::OK();
}

Status QueueResource::DequeueMany(OpKernelContext* ctx, int64_t n, bool allow_small, int64_t timeout_ms, Tuple* out) {
  if (n < 0) {
    return InvalidArgument(std::string(allow_small ? "DequeueUpToOp" : "DequeueManyOp") + " requested " +
                           std::to_string(n) + " < 0 elements");
  }
  RETURN_IF_ERROR(CheckCanPack());
  std::vector<Tuple> got;
  if (n > 0) RETURN_IF_ERROR(Take(ctx, n, allow_small, timeout_ms, &got));
  StatusOr<Tuple> packed = Pack(got);
  if (!packed.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    RestoreLocked(&got);
    return packed.status();
  }
  *out = std::move(packed).value();
  return Status::OK();
}

Status QueueResource::CloseQueue(OpKernelContext* ctx, bool cancel_pending_enqueues) {
  std::unique_lock<std::mutex> lock(mu_);
  if (cancel_pending_enqueues) {
    closed_ = true;  // pending enqueues wake up and fail
    cv_.notify_all();
    return Status::OK();
  }
  // Queued behind the pending enqueues, which complete first (TF's close attempt).
  Line line(&enqueue_line_, next_ticket_++, &cv_);
  RETURN_IF_ERROR(WaitLocked(&lock, ctx, 0, Clock::now(), [&] { return line.head(); }));
  if (closed_) return Cancelled("Queue '" + options_.name + "' is already closed.");
  closed_ = true;
  cv_.notify_all();
  return Status::OK();
}

int64_t QueueResource::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(StoredLocked());
}

bool QueueResource::is_closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void QueueResource::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  session_closed_ = true;
  closed_ = true;
  cv_.notify_all();
}

StatusOr<std::shared_ptr<QueueResource>> LookupQueue(ResourceMgr* resources, const Tensor& handle) {
  if (resources == nullptr) return Internal("Queue ops need a session resource manager");
  std::string container, name;
  RETURN_IF_ERROR(DecodeResourceHandle(handle, &container, &name));
  std::shared_ptr<QueueResource> q = resources->Lookup<QueueResource>(container, name);
  if (q == nullptr) return NotFound("Resource " + container + "/" + name + "/QueueResource does not exist.");
  return q;
}

}  // namespace graphrt
