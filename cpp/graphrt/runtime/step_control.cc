#include "graphrt/runtime/step_control.h"

namespace graphrt {

void StepController::set_timeout_ms(int64_t ms) {
  timeout_ms_ = ms;
  deadline_ = ms > 0 ? Clock::now() + std::chrono::milliseconds(ms) : Clock::time_point::max();
}

void StepController::Cancel(const Status& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopped_.load()) {
    why_ = why;
    stopped_.store(true, std::memory_order_release);
  }
}

Status StepController::Check() const {
  if (stopped_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(mu_);
    return why_;
  }
  if (deadline_ != Clock::time_point::max() || poll_) {
    const auto now = Clock::now();
    if (now >= deadline_) {
      const_cast<StepController*>(this)->Cancel(
          Status(Code::kDeadlineExceeded, "Timed out: the step did not finish within timeout_in_ms = " +
                                              std::to_string(timeout_ms_)));
      return Check();
    }
    if (poll_) {
      const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
      int64_t last = last_poll_ns_.load(std::memory_order_relaxed);
      if (ns - last > 50'000'000 && last_poll_ns_.compare_exchange_strong(last, ns)) {
        Status s = poll_();
        if (!s.ok()) {
          const_cast<StepController*>(this)->Cancel(s);
          return Check();
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace graphrt
