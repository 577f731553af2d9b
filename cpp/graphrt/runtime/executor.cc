#include "graphrt/runtime/executor.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
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

// Partial steps only: how many loops (the caller's and pool threads') are still running nodes, so a
// partial_run call returns only once no work is in flight.
struct InFlight {
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;

  void Enter() {
    std::lock_guard<std::mutex> lock(mu);
    ++active;
  }
  // Notifies under the lock: the waiter may destroy this as soon as it sees active == 0.
  void Leave() {
    std::lock_guard<std::mutex> lock(mu);
    if (--active == 0) cv.notify_all();
  }
};

// Metadata buffers of one step, reused across steps: RunStep takes them from a per-thread free
// list, so a repeated step makes no heap allocation for its bookkeeping (only kernels allocate,
// for tensor data). Sized per plan; they only grow.
std::atomic<int64_t> g_step_buffer_allocations{0};

struct StepBuffers {
  std::vector<Tensor> slots;
  std::unique_ptr<std::atomic<int>[]> pending;
  std::unique_ptr<std::atomic<int>[]> consumers;
  size_t pending_capacity = 0, consumers_capacity = 0;
  std::vector<std::vector<Tensor>> inputs, outputs;  // per-node scratch (cleared after each node)
  std::vector<int> ready;

  void Prepare(const Plan& p) {
    const size_t nodes = p.nodes.size(), nslots = static_cast<size_t>(p.num_slots);
    if (slots.capacity() < nslots || inputs.capacity() < nodes || ready.capacity() < nodes) {
      g_step_buffer_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    slots.resize(nslots);
    if (pending_capacity < nodes) {
      pending.reset(new std::atomic<int>[nodes]);
      pending_capacity = nodes;
      g_step_buffer_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    if (consumers_capacity < nslots) {
      consumers.reset(new std::atomic<int>[nslots]);
      consumers_capacity = nslots;
      g_step_buffer_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    if (inputs.size() < nodes) {
      inputs.resize(nodes);
      outputs.resize(nodes);
    }
    for (size_t i = 0; i < nodes; ++i) {
      if (inputs[i].capacity() < p.nodes[i].input_slots.size()) {
        inputs[i].reserve(p.nodes[i].input_slots.size());
        g_step_buffer_allocations.fetch_add(1, std::memory_order_relaxed);
      }
      if (outputs[i].size() != static_cast<size_t>(p.nodes[i].num_outputs)) {
        if (outputs[i].capacity() < static_cast<size_t>(p.nodes[i].num_outputs)) {
          g_step_buffer_allocations.fetch_add(1, std::memory_order_relaxed);
        }
        outputs[i].resize(p.nodes[i].num_outputs);
      }
    }
    ready.reserve(nodes);
    ready.clear();
  }

  // Drops every tensor reference the step held (keeps the capacity).
  void Release() {
    for (Tensor& t : slots) t = Tensor();
  }
};

// Per-thread free list (a stack, so nested steps of If/While bodies get their own buffers).
class StepBufferPool {
 public:
  std::unique_ptr<StepBuffers> Acquire() {
    if (free_.empty()) return std::make_unique<StepBuffers>();
    std::unique_ptr<StepBuffers> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Return(std::unique_ptr<StepBuffers> b) {
    b->Release();
    if (free_.size() < 8) free_.push_back(std::move(b));
  }

 private:
  std::vector<std::unique_ptr<StepBuffers>> free_;
};

StepBufferPool& ThreadStepBuffers() {
  thread_local StepBufferPool pool;
  return pool;
}

Status RunStepWith(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
                   std::vector<Tensor>* fetches, StepBuffers* buffers);

struct Step {
  Step(const Plan& p, const ExecutorEnv& e, StepBuffers* b)
      : plan(p), env(e), buf(*b), slots(b->slots), pending(b->pending.get()), consumers(b->consumers.get()),
        remaining(static_cast<int>(p.nodes.size())) {
    for (size_t i = 0; i < p.nodes.size(); ++i) pending[i].store(p.nodes[i].initial_pending, std::memory_order_relaxed);
    for (int i = 0; i < p.num_slots; ++i) consumers[i].store(p.slot_consumers[i], std::memory_order_relaxed);
  }

  const Plan& plan;
  const ExecutorEnv& env;
  StepBuffers& buf;
  std::vector<Tensor>& slots;
  std::atomic<int>* pending;
  std::atomic<int>* consumers;
  std::atomic<int> remaining;
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Status status;
  InFlight* in_flight = nullptr;  // set by PartialStep; null for RunStep

  void Fail(const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    if (status.ok()) status = s;
    failed.store(true, std::memory_order_release);
  }

  // Runs one node; appends newly ready nodes to `ready`. Returns true if this was the step's last node.
  bool Process(int id, std::vector<int>* ready) {
    const PlanNode& pn = plan.nodes[id];
    if (!failed.load(std::memory_order_acquire) && env.control != nullptr) {
      Status stop = env.control->Check();
      if (!stop.ok()) Fail(stop);
    }
    if (!failed.load(std::memory_order_acquire)) {
      std::vector<Tensor>& inputs = buf.inputs[id];
      inputs.clear();
      for (int s : pn.input_slots) {
        inputs.push_back(slots[s]);
        // Copy first, then count down: the last reader drops the slot's reference so the kernel
        // may reuse the buffer in place (copy-on-write: only when nobody else holds it).
        if (consumers[s].fetch_sub(1, std::memory_order_acq_rel) == 1) slots[s] = Tensor();
      }
      std::vector<Tensor>& outputs = buf.outputs[id];
      for (Tensor& t : outputs) t = Tensor();
      OpKernelContext ctx(&inputs, &outputs, env.intra_op, env.control);
      NodeExecStats stats;
      if (env.stats != nullptr) StartStats(pn, &stats);
      Status s = ComputeGuarded(pn.kernel, &ctx);
      if (env.stats != nullptr) FinishStats(outputs, &stats);
      if (s.ok()) {
        for (int i = 0; i < pn.num_outputs; ++i) {
          if (!outputs[i].initialized()) {
            s = Internal("Kernel " + pn.kernel->type() + " did not set output " + std::to_string(i));
            break;
          }
          slots[pn.output_base + i] = std::move(outputs[i]);
        }
      }
      inputs.clear();  // drop this node's references now, not at the next step
      if (!s.ok()) Fail(s.WithNode(pn.kernel->name()));
    }
    for (int succ : pn.successors) {
      if (pending[succ].fetch_sub(1, std::memory_order_acq_rel) == 1) ready->push_back(succ);
    }
    return remaining.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

  static int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }

  void StartStats(const PlanNode& pn, NodeExecStats* st) const {
    st->node_name = pn.kernel->name();
    st->op = pn.kernel->type();
    st->all_start_micros = NowMicros();
    st->thread_id = std::hash<std::thread::id>()(std::this_thread::get_id());
  }

  void FinishStats(const std::vector<Tensor>& outputs, NodeExecStats* st) const {
    const int64_t end = NowMicros() - st->all_start_micros;
    st->op_end_rel_micros = end;
    st->all_end_rel_micros = end;
    for (const Tensor& t : outputs) {
      st->outputs.emplace_back(t.dtype(), t.shape().dims());
      st->output_bytes.push_back(static_cast<int64_t>(t.bytes()));
    }
    env.stats->Add(std::move(*st));
  }

  void Finish() {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_all();
  }

  // Drains `ready` on this thread. When several expensive nodes are ready, all but one go to the pool.
  void RunLoop(std::vector<int>& ready) {
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

  void RunLoopOn(int id) {
    std::vector<int> ready{id};
    RunLoop(ready);
  }

  void MaybeOffload(std::vector<int>* ready) {
    if (env.inter_op == nullptr || env.inter_op->num_threads() == 0 || ready->size() < 2) return;
    // When the intra-op pool already spans every core, the expensive kernels (gemm, convolutions,
    // pooling) split themselves over it: running two side by side only makes them share the same
    // cores and wait on each other's blocks, so they run one after the other here instead.
    if (env.intra_op != nullptr && env.intra_op->num_threads() + 1 >= DefaultThreadCount()) return;
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
        InFlight* tracker = in_flight;  // read now: `this` may be gone once a RunStep loop ends
        if (tracker == nullptr) {
          env.inter_op->Schedule([this, id] { RunLoopOn(id); });
        } else {
          tracker->Enter();
          env.inter_op->Schedule([this, id, tracker] {
            RunLoopOn(id);
            tracker->Leave();
          });
        }
      }
    }
    ready->swap(keep);
  }
};

}  // namespace

void StepStatsCollector::Add(NodeExecStats stats) {
  std::lock_guard<std::mutex> lock(mu_);
  nodes_.push_back(std::move(stats));
}

std::vector<NodeExecStats> StepStatsCollector::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(nodes_);
}

Status RunStep(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
               std::vector<Tensor>* fetches) {
  if (feeds.size() != plan.feed_names.size()) {
    return InvalidArgument("Expected " + std::to_string(plan.feed_names.size()) + " feeds, got " +
                           std::to_string(feeds.size()));
  }
  StepBufferPool& pool = ThreadStepBuffers();
  std::unique_ptr<StepBuffers> buffers = pool.Acquire();
  buffers->Prepare(plan);
  Status result = RunStepWith(plan, feeds, env, fetches, buffers.get());
  pool.Return(std::move(buffers));
  return result;
}

namespace {

Status RunStepWith(const Plan& plan, const std::vector<Tensor>& feeds, const ExecutorEnv& env,
                   std::vector<Tensor>* fetches, StepBuffers* buffers) {
  Step step(plan, env, buffers);
  for (size_t i = 0; i < feeds.size(); ++i) {
    if (plan.feed_dtypes[i] != DT_INVALID && feeds[i].dtype() != plan.feed_dtypes[i]) {
      return InvalidArgument("Feed for '" + plan.feed_names[i] + "' has type " + DataTypeName(feeds[i].dtype()) +
                             " but the tensor is " + DataTypeName(plan.feed_dtypes[i]));
    }
    step.slots[i] = feeds[i];
  }
  if (!plan.nodes.empty()) {
    buffers->ready.assign(plan.roots.begin(), plan.roots.end());
    step.RunLoop(buffers->ready);
    std::unique_lock<std::mutex> lock(step.mu);
    // While pool threads finish the step, keep checking for a deadline or an interrupt so nodes that
    // have not started yet are skipped; the step state must outlive every node, so we still wait.
    while (!step.done) {
      if (env.control == nullptr) {
        step.cv.wait(lock, [&] { return step.done; });
        break;
      }
      step.cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return step.done; });
      if (!step.done) {
        lock.unlock();
        Status stop = env.control->Check();
        if (!stop.ok()) step.Fail(stop);
        lock.lock();
      }
    }
  }
  if (!step.status.ok()) return step.status;
  fetches->clear();
  fetches->reserve(plan.fetch_slots.size());
  for (int s : plan.fetch_slots) fetches->push_back(step.slots[s]);
  return Status::OK();
}

}  // namespace

int64_t StepBufferAllocations() { return g_step_buffer_allocations.load(); }

// ---- PartialStep ---------------------------------------------------------------------------------

struct PartialStep::State {
  State(std::shared_ptr<const Plan> p, const ExecutorEnv& e)
      : plan(std::move(p)), env(e), buffers(Prepared(*plan)), step(*plan, env, buffers.get()) {
    step.in_flight = &in_flight;
    const int num_feeds = static_cast<int>(plan->feed_names.size());
    const int num_nodes = static_cast<int>(plan->nodes.size());
    feed_consumers.resize(num_feeds);
    node_feeds.resize(num_nodes);
    preds.resize(num_nodes);
    slot_producer.assign(plan->num_slots, -1);
    for (int i = 0; i < num_nodes; ++i) {
      const PlanNode& pn = plan->nodes[i];
      for (int o = 0; o < pn.num_outputs; ++o) slot_producer[pn.output_base + o] = i;
      for (int succ : pn.successors) preds[succ].push_back(i);
      // A node reading a feed also waits for it (RunStep has every feed before the step starts).
      int waits = 0;
      for (int s : pn.input_slots) {
        if (s < num_feeds) {
          feed_consumers[s].push_back(i);
          node_feeds[i].push_back(s);
          ++waits;
        }
      }
      if (waits > 0) step.pending[i].fetch_add(waits, std::memory_order_relaxed);
      if (pn.initial_pending == 0 && waits == 0) roots.push_back(i);
    }
  }

  static std::unique_ptr<StepBuffers> Prepared(const Plan& p) {
    auto b = std::make_unique<StepBuffers>();
    b->Prepare(p);
    return b;
  }

  std::shared_ptr<const Plan> plan;
  ExecutorEnv env;
  InFlight in_flight;
  std::unique_ptr<StepBuffers> buffers;  // a partial step keeps its own (it outlives the call)
  Step step;
  std::vector<std::vector<int>> feed_consumers;  // per feed: the nodes reading it (once per read)
  std::vector<std::vector<int>> node_feeds;      // per node: the feeds it reads
  std::vector<std::vector<int>> preds;           // per node: the nodes it waits for (data and control)
  std::vector<int> slot_producer;                // per slot: producing node, -1 for feeds
  std::vector<int> roots;                        // nodes waiting for nothing: run by the first call
  bool started = false;
};

PartialStep::PartialStep(std::shared_ptr<const Plan> plan, const ExecutorEnv& env)
    : state_(std::make_unique<State>(std::move(plan), env)) {}

PartialStep::~PartialStep() = default;  // Run() never returns with work in flight

const Plan& PartialStep::plan() const { return *state_->plan; }

bool PartialStep::finished() const {
  return state_->plan->nodes.empty() || state_->step.remaining.load(std::memory_order_acquire) == 0;
}

bool PartialStep::CanCompute(int fetch_index, const std::vector<bool>& fed) const {
  const State& st = *state_;
  if (fetch_index < 0 || fetch_index >= static_cast<int>(st.plan->fetch_slots.size())) return false;
  const int slot = st.plan->fetch_slots[fetch_index];
  const int num_feeds = static_cast<int>(st.plan->feed_names.size());
  auto is_fed = [&](int f) { return f < static_cast<int>(fed.size()) && fed[f]; };
  if (slot < num_feeds) return is_fed(slot);
  std::vector<char> seen(st.plan->nodes.size(), 0);
  std::vector<int> stack{st.slot_producer[slot]};
  seen[stack.back()] = 1;
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    for (int f : st.node_feeds[n]) {
      if (!is_fed(f)) return false;
    }
    for (int p : st.preds[n]) {
      if (!seen[p]) {
        seen[p] = 1;
        stack.push_back(p);
      }
    }
  }
  return true;
}

Status PartialStep::Run(const std::vector<int>& feed_indices, const std::vector<Tensor>& values) {
  State& st = *state_;
  Step& step = st.step;
  const Plan& plan = *st.plan;
  if (feed_indices.size() != values.size()) return Internal("PartialStep::Run: feeds and values differ in number");
  for (size_t i = 0; i < feed_indices.size(); ++i) {
    const int f = feed_indices[i];
    if (f < 0 || f >= static_cast<int>(plan.feed_names.size())) return Internal("PartialStep::Run: bad feed index");
    if (plan.feed_dtypes[f] != DT_INVALID && values[i].dtype() != plan.feed_dtypes[f]) {
      return InvalidArgument("Feed for '" + plan.feed_names[f] + "' has type " + DataTypeName(values[i].dtype()) +
                             " but the tensor is " + DataTypeName(plan.feed_dtypes[f]));
    }
  }
  if (!step.status.ok()) return step.status;
  std::vector<int> ready;
  if (!st.started) {
    st.started = true;
    ready = st.roots;
  }
  for (size_t i = 0; i < feed_indices.size(); ++i) {
    const int f = feed_indices[i];
    if (step.consumers[f].load(std::memory_order_relaxed) > 0) step.slots[f] = values[i];
    for (int c : st.feed_consumers[f]) {
      if (step.pending[c].fetch_sub(1, std::memory_order_acq_rel) == 1) ready.push_back(c);
    }
  }
  if (!ready.empty()) {
    st.in_flight.Enter();
    step.RunLoop(ready);
    st.in_flight.Leave();
    std::unique_lock<std::mutex> lock(st.in_flight.mu);
    while (st.in_flight.active > 0) {
      if (st.env.control == nullptr) {
        st.in_flight.cv.wait(lock, [&] { return st.in_flight.active == 0; });
        break;
      }
      st.in_flight.cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return st.in_flight.active == 0; });
      if (st.in_flight.active > 0) {
        lock.unlock();
        Status stop = st.env.control->Check();
        if (!stop.ok()) step.Fail(stop);
        lock.lock();
      }
    }
  }
  std::lock_guard<std::mutex> lock(step.mu);
  return step.status;
}

StatusOr<Tensor> PartialStep::Take(int fetch_index) {
  State& st = *state_;
  if (fetch_index < 0 || fetch_index >= static_cast<int>(st.plan->fetch_slots.size())) {
    return Internal("PartialStep::Take: bad fetch index");
  }
  const int slot = st.plan->fetch_slots[fetch_index];
  Tensor value = st.step.slots[slot];
  if (!value.initialized()) {
    return InvalidArgument("Fetch " + st.plan->fetch_names[fetch_index] +
                           " can't be computed from the feeds that have been fed so far.");
  }
  // Drop the fetch's read of the slot; the slot goes once no node needs it any more.
  if (st.step.consumers[slot].fetch_sub(1, std::memory_order_acq_rel) == 1) st.step.slots[slot] = Tensor();
  return value;
}

}  // namespace graphrt
