// Queues of tensor tuples (TF1's FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue),
// living in the session's ResourceMgr. Blocking calls never wait indefinitely: they wait on a
// condition variable in short slices and re-check the step's StepControl (session close,
// RunOptions.timeout_in_ms, Ctrl-C), the op's own timeout and the queue's state each time.
// Enqueue attempts, and dequeue attempts, are served in arrival order (as TF's attempt lists).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/op_kernel.h"
#include "graphrt/runtime/resource_mgr.h"

namespace graphrt {

using Tuple = std::vector<Tensor>;

class QueueResource : public Resource {
 public:
  enum class Kind { kFIFO, kRandomShuffle, kPadding, kPriority };
  struct Options {
    Kind kind = Kind::kFIFO;
    std::vector<DataType> types;            // every component (a PriorityQueue's int64 priority first)
    std::vector<TensorShapeProto> shapes;   // empty = unspecified; else one per component
    int64_t capacity = -1;                  // < 0 = unbounded
    int64_t min_after_dequeue = 0;
    int64_t seed = 0, seed2 = 0;
    std::string name;                       // for messages
  };

  static StatusOr<std::shared_ptr<QueueResource>> Create(const Options& options);
  // InvalidArgument when a shared queue of this name was made with other options.
  Status Matches(const Options& options) const;

  // Every blocking call takes the step's context (for CheckStop; may be null) and timeout_ms (<= 0:
  // none). Enqueue on a closed queue: Cancelled. Dequeue from a closed queue with too few
  // elements: OutOfRange. Session close: Cancelled.
  Status Enqueue(OpKernelContext* ctx, const Tuple& tuple, int64_t timeout_ms);
  Status EnqueueMany(OpKernelContext* ctx, const Tuple& batch, int64_t timeout_ms);
  Status Dequeue(OpKernelContext* ctx, int64_t timeout_ms, Tuple* out);
  // `allow_small`: DequeueUpTo (a closed queue gives what it has, at least one element).
  Status DequeueMany(OpKernelContext* ctx, int64_t n, bool allow_small, int64_t timeout_ms, Tuple* out);
  // Without cancel_pending_enqueues the close waits behind pending enqueues (as in TF).
  Status CloseQueue(OpKernelContext* ctx, bool cancel_pending_enqueues);
  int64_t size() const;
  bool is_closed() const;

  const std::vector<DataType>& types() const { return options_.types; }
  const std::string& name() const { return options_.name; }
  void Close() override;  // session close: wake every waiter, fail it with Cancelled
  std::string DebugString() const override;

 private:
  explicit QueueResource(const Options& options);
  const char* KindName() const;
  Status ValidateTuple(const Tuple& tuple, bool many, int64_t* batch) const;
  Status CopyElement(const Tensor& t, Tensor* out) const;
  StatusOr<Tuple> Slice(const Tuple& batch, int64_t i) const;
  StatusOr<Tuple> Pack(const std::vector<Tuple>& elems) const;
  Status CheckCanPack() const;
  Status EnqueueElements(OpKernelContext* ctx, std::vector<Tuple>* elems, int64_t timeout_ms);
  // Takes n elements (fewer when allow_small and closed) in dequeue-line order; restores on failure.
  Status Take(OpKernelContext* ctx, int64_t n, bool allow_small, int64_t timeout_ms, std::vector<Tuple>* got);

  // Storage, mu_ held.
  size_t StoredLocked() const;
  size_t AvailableLocked() const;  // how many a dequeue may take now
  void PushLocked(Tuple t);
  Tuple PopLocked();
  void RestoreLocked(std::vector<Tuple>* taken);  // puts back elements a failed dequeue took
  bool FullLocked() const;

  // Waits (lock held) until `ready()` or the wait must stop; non-OK = why it stopped.
  template <typename Pred>
  Status WaitLocked(std::unique_lock<std::mutex>* lock, OpKernelContext* ctx, int64_t timeout_ms,
                    std::chrono::steady_clock::time_point start, Pred ready);

  struct Line;  // RAII place in an attempt line

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool session_closed_ = false;
  std::deque<Tuple> fifo_;                          // FIFO and padding
  std::vector<Tuple> pool_;                         // random shuffle
  std::multimap<int64_t, Tuple> by_priority_;       // priority (stable for equal priorities)
  std::mt19937_64 rng_;
  uint64_t next_ticket_ = 0;
  std::list<uint64_t> enqueue_line_, dequeue_line_;
};

// Attr helpers for handle ops (queues, readers): a string / int attr or the fallback, and the
// (container, name) a handle op names (shared_name, or the node's own name).
std::string QueueStrAttr(const NodeDef& def, const char* name, const std::string& fallback);
int64_t QueueIntAttr(const NodeDef& def, const char* name, int64_t fallback);
std::pair<std::string, std::string> ResourceKey(const NodeDef& def);

// Finds the queue a DT_RESOURCE handle names; NotFound when it does not exist.
StatusOr<std::shared_ptr<QueueResource>> LookupQueue(ResourceMgr* resources, const Tensor& handle);

}  // namespace graphrt
