// ThreadPool: a fixed set of worker threads fed from one queue (the inter-op pool runs graph nodes),
// and ParallelFor for intra-op parallelism in large kernels, where the calling thread takes shards
// too, so a ParallelFor never waits on a pool that is busy elsewhere.
#pragma once
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
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(threads_.size()); }
  void Schedule(std::function<void()> fn);

  // Calls fn(begin, end) over disjoint ranges covering [0, n). Ranges hold at least `min_shard`
  // items; with a small n (or no workers) everything runs on the caller's thread.
  void ParallelFor(int64_t n, int64_t min_shard, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

int DefaultThreadCount();  // hardware concurrency, at least 1

}  // namespace graphrt
