// ThreadPool: a fixed set of worker threads fed from one queue (the inter-op pool runs graph nodes),
// and ParallelFor for intra-op parallelism in large kernels, where the calling thread takes shards
// too, so a ParallelFor never waits on a pool that is busy elsewhere.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace graphrt {

class ThreadPool {
 public:
  // `spin_us`: how long an idle worker keeps polling for work before it sleeps. Waking a sleeping
  // thread costs tens of microseconds (more in a VM), which swallows the gain of splitting a
  // sub-millisecond kernel; the intra-op pool polls briefly so back-to-back kernels of a step find
  // their helpers awake, and an idle session still sleeps after that long.
  explicit ThreadPool(int num_threads, int spin_us = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(threads_.size()); }
  void Schedule(std::function<void()> fn);

  // Calls fn(begin, end) over disjoint ranges covering [0, n). Ranges hold at least `min_shard`
  // items; with a small n (or no workers) everything runs on the caller's thread.
  void ParallelFor(int64_t n, int64_t min_shard, const std::function<void(int64_t, int64_t)>& fn);
  // Calls fn(i) for each i in [0, count), the items claimed one at a time by the caller and up to
  // num_threads() helpers: a helper that wakes late takes what is left instead of a fixed share.
  void ParallelForEach(int64_t count, const std::function<void(int64_t)>& fn);

 private:
  void WorkerLoop();
  // Runs run_shard(s) for every s in [0, shards) on the caller and participants - 1 helpers.
  void RunShards(int64_t shards, int64_t participants, const std::function<void(int64_t)>& run_shard);
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::atomic<int64_t> queued_{0};  // queue_.size(), readable without the lock (for polling)
  std::atomic<bool> stopping_{false};
  const int spin_us_;
  std::vector<std::thread> threads_;
};

int DefaultThreadCount();  // hardware concurrency, at least 1

// How long intra-op workers poll for the next kernel's work before sleeping.
constexpr int kIntraOpSpinMicros = 200;

}  // namespace graphrt
