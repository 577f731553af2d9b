#include "graphrt/runtime/threadpool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

namespace graphrt {

namespace {
// How long ParallelFor's caller polls for its helpers' last shards before it sleeps.
constexpr int kJoinSpinMicros = 500;

// Polls `done` for up to `micros` (clock read every 64 polls); returns early once it holds.
template <typename Done>
void SpinFor(int micros, const Done& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  for (int i = 1; !done(); ++i) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return;
  }
}
}  // namespace

int DefaultThreadCount() {
  // Read once: glibc answers hardware_concurrency() by reading /sys on every call.
  static const int count = [] {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
  }();
  return count;
}

ThreadPool::ThreadPool(int num_threads, int spin_us) : spin_us_(spin_us) {
  threads_.reserve(std::max(0, num_threads));
  for (int i = 0; i < num_threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::Schedule(std::function<void()> fn) {
  if (threads_.empty()) {
    fn();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
    queued_.fetch_add(1, std::memory_order_release);
  }
  cv_.notify_one();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    if (spin_us_ > 0) {
      SpinFor(spin_us_, [this] {
        return queued_.load(std::memory_order_acquire) != 0 || stopping_.load(std::memory_order_relaxed);
      });
    }
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      fn = std::move(queue_.front());
      queue_.pop_front();
      queued_.fetch_sub(1, std::memory_order_relaxed);
    }
    fn();
  }
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_shard, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  min_shard = std::max<int64_t>(1, min_shard);
  const int64_t shards = std::min<int64_t>(num_threads() + 1, (n + min_shard - 1) / min_shard);
  if (shards <= 1) {
    fn(0, n);
    return;
  }
  const int64_t block = (n + shards - 1) / shards;
  RunShards(shards, shards, [&](int64_t s) {
    const int64_t begin = s * block, end = std::min(n, begin + block);
    if (begin < end) fn(begin, end);
  });
}

void ThreadPool::ParallelForEach(int64_t count, const std::function<void(int64_t)>& fn) {
  if (count <= 0) return;
  const int64_t participants = std::min<int64_t>(num_threads() + 1, count);
  if (participants <= 1) {
    for (int64_t i = 0; i < count; ++i) fn(i);
    return;
  }
  RunShards(count, participants, fn);
}

void ThreadPool::RunShards(int64_t shards, int64_t participants, const std::function<void(int64_t)>& run_shard) {
  // Shared state outlives the call: a helper that starts late finds no shard left and returns.
  struct Shared {
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> done{0};
    std::mutex mu;
    std::condition_variable cv;
  };
  auto shared = std::make_shared<Shared>();
  // Each participant claims shards until none is left, then counts what it ran.
  auto work = [shared, shards, &run_shard]() {
    int64_t ran = 0;
    for (int64_t s = shared->next.fetch_add(1); s < shards; s = shared->next.fetch_add(1)) {
      run_shard(s);
      ++ran;
    }
    if (ran > 0 && shared->done.fetch_add(ran) + ran == shards) {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->cv.notify_all();
    }
  };
  for (int64_t i = 0; i + 1 < participants; ++i) Schedule(work);
  work();
  // The helpers are finishing their last shards: poll for them a while before sleeping, since a
  // sleeping caller is woken tens of microseconds after the last shard ends (more in a VM).
  SpinFor(kJoinSpinMicros, [&] { return shared->done.load(std::memory_order_acquire) == shards; });
  if (shared->done.load(std::memory_order_acquire) == shards) return;
  std::unique_lock<std::mutex> lock(shared->mu);
  shared->cv.wait(lock, [&] { return shared->done.load() == shards; });
}

}  // namespace graphrt
