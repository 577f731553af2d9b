#include "graphrt/runtime/executor.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>

namespace graphrt {
namespace {

// A kernel that throws (std::bad_alloc from a container, say) must fail its step, not terminate the
// process from a pool thread.
Status ComputeGuarded(OpKernel* kernel, OpKernelContext* ctx) {
  try {
    return kernel->Compute(ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("OOM in kernel " + kernel->type());
  } catch (const std::exception& e) {
    return Internal("Kernel " + kernel->type() + " failed: " + e.what());
  }
}

struct Step {
  Step(const Plan& p, const ExecutorEnv& e)
      : plan(p), env(e), slots(p.num_slots), pending(new std::atomic<int>[p.nodes.size()]),
        consumers(new std::atomic<int>[p.num_slots]), remaining(static_cast<int>(p.nodes.size())) {
    for (size_t i = 0; i < p.nodes.size(); ++i) pending[i].store(p.nodes[i].initial_pending, std::memory_order_relaxed);
    for (int i = 0; i < p.num_slots; ++i) consumers[i].store(p.slot_consumers[i], std::memory_order_relaxed);
  }

  const Plan& plan;
  const ExecutorEnv& env;
  std::vector<Tensor> slots;
  std::unique_ptr<std::atomic<int>[]> pending;
  std::unique_ptr<std::atomic<int>[]> consumers;
  std::atomic<int> remaining;
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Status status;

  void Fail(const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    if (status.ok()) status = s;
    failed.store(true, std::memory_order_release);
  }

  // Runs one node; appends newly ready nodes to `ready`. Returns true if this was the step's last node.
  bool Process(int id, std::vector<int>* ready) {
    const PlanNode& pn = plan.nodes[id];
    if (!failed.load(std::memory_order_acquire)) {
      std::vector<Tensor> inputs;
      inputs.reserve(pn.input_slots.size());
      for (int s : pn.input_slots) {
        inputs.push_back(slots[s]);
        // Copy first, then count down: the last reader drops the slot's reference so the kernel
        // may reuse the buffer in place (copy-on-write: only when nobody else holds it).
        if (consumers[s].fetch_sub(1, std::memory_order_acq_rel) == 1) slots[s] = Tensor();
      }
      std::vector<Tensor> outputs(pn.num_outputs);
      OpKernelContext ctx(&inputs, &outputs, env.intra_op);
      Status s = ComputeGuarded(pn.kernel, &ctx);
      if (s.ok()) {
        for (int i = 0; i < pn.num_outputs; ++i) {
          if (!outputs[i].initialized()) {
            s = Internal("Kernel " + pn.kernel->type() + " did not set output " + std::to_string(i));
            break;
          }
          slots[pn.output_base + i] = std::move(outputs[i]);
        }
      }
      if (!s.ok()) Fail(s.WithNode(pn.kernel->name()));
    }
    for (int succ : pn.successors) {
      if (pending[succ].fetch_sub(1, std::memory_order_acq_rel) == 1) ready->push_back(succ);
    }
    return remaining.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

  void Finish() {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_all();
  }

  // Drains `ready` on this thread. When several expensive nodes are ready, all but one go to the pool.
  void RunLoop(std::vector<int> ready) {
    while (!ready.empty()) {
      MaybeOffload(&ready);
      int id = ready.back();
      ready.pop_back();
      if (Process(id, &ready)) {
        Finish();  // the step is over: `this` may be destroyed by the caller from here on
        return;
      }
    }
  }

  void MaybeOffload(std::vector<int>* ready) {
    if (env.inter_op == nullptr || env.inter_op->num_threads() == 0 || ready->size() < 2) return;
    int expensive = 0;
    for (int id : *ready) expensive += plan.nodes[id].expensive;
    if (expensive < 2) return;
    // Keep the cheap ones and one expensive node here; each other expensive node gets a pool thread.
    std::vector<int> keep;
    bool kept_expensive = false;
    for (int id : *ready) {
      if (!plan.nodes[id].expensive || !kept_expensive) {
        kept_expensive |= plan.nodes[id].expensive;
        keep.push_back(id);
      } else {
        env.inter_op->Schedule([this, id] { RunLoop({id}); });
      }
    }
    ready->swap(keep);
  }
};

}  // namespace

Status RunStep(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
               std::vector<Tensor>* fetches) {
  if (feeds.size() != plan.feed_names.size()) {
    return InvalidArgument("Expected " + std::to_string(plan.feed_names.size()) + " feeds, got " +
                           std::to_string(feeds.size()));
  }
  Step step(plan, env);
  for (size_t i = 0; i < feeds.size(); ++i) {
    if (plan.feed_dtypes[i] != DT_INVALID && feeds[i].dtype() != plan.feed_dtypes[i]) {
      return InvalidArgument("Feed for '" + plan.feed_names[i] + "' has type " + DataTypeName(feeds[i].dtype()) +
                             " but the tensor is " + DataTypeName(plan.feed_dtypes[i]));
    }
    step.slots[i] = feeds[i];
  }
  if (!plan.nodes.empty()) {
    step.RunLoop(plan.roots);
    std::unique_lock<std::mutex> lock(step.mu);
    step.cv.wait(lock, [&] { return step.done; });
  }
  if (!step.status.ok()) return step.status;
  fetches->clear();
  fetches->reserve(plan.fetch_slots.size());
  for (int s : plan.fetch_slots) fetches->push_back(step.slots[s]);
  return Status::OK();
}

}  // namespace graphrt
