// StepController: the StepControl of one step. The session cancels it on Close(); a RunOptions
// timeout sets its deadline; a poll hook (the binding's KeyboardInterrupt check) may stop it.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

class StepController : public StepControl {
 public:
  using Clock = std::chrono::steady_clock;

  void set_timeout_ms(int64_t ms);
  // Called at most every ~50 ms from Check(); returning a non-OK status stops the step.
  void set_poll(std::function<Status()> poll) { poll_ = std::move(poll); }
  void Cancel(const Status& why);
  Status Check() const override;

 private:
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;
  mutable Status why_;
  Clock::time_point deadline_ = Clock::time_point::max();
  int64_t timeout_ms_ = 0;
  std::function<Status()> poll_;
  mutable std::atomic<int64_t> last_poll_ns_{0};
};

}  // namespace graphrt
