#include "graphrt/runtime/session.h"

#include <algorithm>
#include <cstdio>

#include "graphrt/graph/graph_def.h"
#include "graphrt/graph/passes/optimize.h"

namespace graphrt {

namespace {

// Process-wide inter-op pools, never destroyed (as TensorFlow's): by thread count for sessions that
// share the default pool, by name for ConfigProto.session_inter_op_thread_pool entries with a
// global_name (with the num_threads they were first configured with).
std::mutex& SharedPoolsMu() {
  static auto* mu = new std::mutex;
  return *mu;
}
std::map<int, std::shared_ptr<ThreadPool>>& SharedPools() {
  static auto* pools = new std::map<int, std::shared_ptr<ThreadPool>>;
  return *pools;
}
std::map<std::string, std::pair<int, std::shared_ptr<ThreadPool>>>& NamedPools() {
  static auto* pools = new std::map<std::string, std::pair<int, std::shared_ptr<ThreadPool>>>;
  return *pools;
}

}  // namespace

DirectSession::DirectSession(const SessionOptions& options)
    : options_(options),
      inter_op_threads_(1),
      intra_op_threads_(options.intra_op_threads > 0 ? options.intra_op_threads : DefaultThreadCount()),
      kernels_(KernelEnv{&graph_.library(), &resources_}),
      pass_options_(PassOptionsFromSwitches(options.optimizer_switches)),
      placer_(CreateCpuDevices(std::max(1, options.cpu_device_count)), options.allow_soft_placement,
              options.log_device_placement) {
  if (options.cpu_device_count < 1) init_status_ = NotFound("No CPU devices are available in this process");
  const int default_inter = options.inter_op_threads > 0 ? options.inter_op_threads : DefaultThreadCount();
  auto add_pool = [this](std::shared_ptr<ThreadPool> pool, int threads, const std::string& name, bool owned) {
    InterOpPoolInfo info;
    info.num_threads = threads;
    info.global_name = name;
    info.owned = owned;
    info.id = reinterpret_cast<uintptr_t>(pool.get());
    pool_info_.push_back(info);
    inter_op_.push_back(std::move(pool));
  };
  if (!options.inter_op_pools.empty()) {
    for (const InterOpPoolOptions& p : options.inter_op_pools) {
      const int threads = p.num_threads > 0 ? p.num_threads : default_inter;
      if (p.global_name.empty()) {
        add_pool(std::make_shared<ThreadPool>(threads - 1), threads, "", true);
        continue;
      }
      std::lock_guard<std::mutex> lock(SharedPoolsMu());
      auto& entry = NamedPools()[p.global_name];
      if (!entry.second) {
        entry.first = p.num_threads;
        entry.second = std::make_shared<ThreadPool>(threads - 1);
      } else if (entry.first != p.num_threads && init_status_.ok()) {
        init_status_ = InvalidArgument("Pool " + p.global_name + " configured previously with num_threads=" +
                                       std::to_string(entry.first) + "; cannot re-configure with num_threads=" +
                                       std::to_string(p.num_threads));
      }
      add_pool(entry.second, entry.second->num_threads() + 1, p.global_name, false);
    }
  } else if (options.use_per_session_threads) {
    add_pool(std::make_shared<ThreadPool>(default_inter - 1), default_inter, "", true);
  } else if (options.inter_op_threads < 0) {
    add_pool(nullptr, 1, "", false);  // TensorFlow: a negative count runs steps in the caller's thread
  } else {
    std::lock_guard<std::mutex> lock(SharedPoolsMu());
    auto& pool = SharedPools()[default_inter];
    if (!pool) pool = std::make_shared<ThreadPool>(default_inter - 1);
    add_pool(pool, default_inter, "", false);
  }
  inter_op_threads_ = pool_info_[0].num_threads;
  intra_op_ = std::make_unique<ThreadPool>(intra_op_threads_ - 1, kIntraOpSpinMicros);
  for (const auto& pool : inter_op_) envs_.push_back(ExecutorEnv{pool.get(), intra_op_.get()});
  inline_env_ = ExecutorEnv{nullptr, intra_op_.get()};
  if (options.log_device_placement) {
    // TensorFlow lists devices with a physical description here; CPU devices have none.
    std::fputs("Device mapping: no known devices.\n", stderr);
    std::fflush(stderr);
  }
}

DirectSession::~DirectSession() = default;

Status DirectSession::Extend(std::string_view bytes) {
  GraphDef def;
  RETURN_IF_ERROR(DecodeGraphDef(bytes, &def));
  std::unique_lock<std::shared_mutex> lock(graph_mu_);
  if (closed_) return Cancelled("Session has been closed.");
  RETURN_IF_ERROR(graph_.Extend(def));
  placer_.AddNodes(graph_);
  return Status::OK();
}

static std::string SignatureKey(const std::vector<std::string>& feeds, const std::vector<std::string>& fetches,
                                const std::vector<std::string>& targets) {
  std::string key;
  for (const auto* list : {&feeds, &fetches, &targets}) {
    for (const auto& s : *list) {
      key += s;
      key += '\x01';
    }
    key += '\x02';
  }
  return key;
}

StatusOr<std::shared_ptr<const Plan>> DirectSession::GetPlan(const std::vector<std::string>& feeds,
                                                             const std::vector<std::string>& fetches,
                                                             const std::vector<std::string>& targets) {
  const std::string key = SignatureKey(feeds, fetches, targets);
  {
    std::lock_guard<std::mutex> lock(plans_mu_);
    if (closed_) return Cancelled("Session has been closed.");
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
  }
  std::shared_lock<std::shared_mutex> graph_lock(graph_mu_);
  ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan,
                   BuildPlan(graph_, &kernels_, feeds, fetches, targets, pass_options_));
  // Placement, once per plan: the plan's nodes not placed by an earlier plan get their device. It
  // places the real nodes the signature needs (before the graph passes), so devices and placement
  // errors do not depend on which passes are on.
  RETURN_IF_ERROR(placer_.Place(graph_, plan->graph_nodes));
  std::lock_guard<std::mutex> lock(plans_mu_);
  return plans_.emplace(key, std::move(plan)).first->second;
}

Status DirectSession::Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches,
                          int inter_op_pool) {
  if (inter_op_pool == 0) return RunStep(plan, feeds, envs_[0], fetches);
  if (inter_op_pool == -1) return RunStep(plan, feeds, inline_env_, fetches);
  if (inter_op_pool < -1 || inter_op_pool >= static_cast<int>(envs_.size())) {
    return InvalidArgument("Invalid inter_op_thread_pool: " + std::to_string(inter_op_pool));
  }
  return RunStep(plan, feeds, envs_[inter_op_pool], fetches);
}

Status DirectSession::Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches,
                          const RunStepOptions& options) {
  const int pool = options.inter_op_pool;
  if (pool < -1 || pool >= static_cast<int>(envs_.size())) {
    return InvalidArgument("Invalid inter_op_thread_pool: " + std::to_string(pool));
  }
  StepController control;
  const int64_t timeout = options.timeout_ms > 0 ? options.timeout_ms : options_.operation_timeout_in_ms;
  control.set_timeout_ms(timeout);
  if (options.poll) control.set_poll(options.poll);
  {
    std::lock_guard<std::mutex> lock(steps_mu_);
    if (closed()) return Cancelled("Session has been closed.");
    steps_.insert(&control);
  }
  ExecutorEnv env = pool == -1 ? inline_env_ : envs_[pool];
  env.control = &control;
  env.stats = options.stats;
  Status s = RunStep(plan, feeds, env, fetches);
  std::lock_guard<std::mutex> lock(steps_mu_);
  steps_.erase(&control);
  return s;
}

// ---- partial runs ------------------------------------------------------------------------------

struct PartialRunState {
  std::mutex mu;                      // one partial_run call at a time per handle
  StepController control;             // before `step`: the step's env points at it
  std::unique_ptr<PartialStep> step;
  std::unordered_map<std::string, int> feed_index, fetch_index;
  std::vector<bool> fed, fetched;
  int feeds_left = 0, fetches_left = 0;
  bool dead = false;                  // failed, completed or dropped by Close(): the handle is gone
};

StatusOr<std::string> DirectSession::PartialRunSetup(const std::vector<std::string>& feeds,
                                                     const std::vector<std::string>& fetches,
                                                     const std::vector<std::string>& targets,
                                                     std::function<Status()> poll) {
  if (fetches.empty() && targets.empty()) {
    return InvalidArgument("Must specify at least one target to fetch or execute.");
  }
  // Fetch names are unique (the Python side already merges repeats).
  std::vector<std::string> unique_fetches;
  std::unordered_set<std::string> seen;
  for (const std::string& f : fetches) {
    if (seen.insert(f).second) unique_fetches.push_back(f);
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan, GetPlan(feeds, unique_fetches, targets));
  auto state = std::make_shared<PartialRunState>();
  if (poll) state->control.set_poll(std::move(poll));
  ExecutorEnv env = envs_[0];
  env.control = &state->control;
  state->step = std::make_unique<PartialStep>(plan, env);
  for (size_t i = 0; i < feeds.size(); ++i) state->feed_index.emplace(feeds[i], static_cast<int>(i));
  for (size_t i = 0; i < unique_fetches.size(); ++i) state->fetch_index.emplace(unique_fetches[i], static_cast<int>(i));
  state->fed.assign(feeds.size(), false);
  state->fetched.assign(unique_fetches.size(), false);
  state->feeds_left = static_cast<int>(feeds.size());
  state->fetches_left = static_cast<int>(unique_fetches.size());
  std::lock_guard<std::mutex> lock(partial_mu_);
  if (closed()) return Cancelled("Session has been closed.");
  std::string handle = std::to_string(next_partial_run_++) + ";prun";
  partial_runs_.emplace(handle, std::move(state));
  return handle;
}

Status DirectSession::PartialRun(const std::string& handle, const std::vector<std::string>& feed_names,
                                 const std::vector<Tensor>& feeds, const std::vector<std::string>& fetch_names,
                                 std::vector<Tensor>* fetches) {
  const Status no_setup = InvalidArgument("Must run 'setup' before performing partial runs!");
  std::shared_ptr<PartialRunState> state;
  {
    std::lock_guard<std::mutex> lock(partial_mu_);
    auto it = partial_runs_.find(handle);
    if (it == partial_runs_.end()) return closed() ? Cancelled("Session has been closed.") : no_setup;
    state = it->second;
  }
  std::lock_guard<std::mutex> state_lock(state->mu);
  if (state->dead) return no_setup;
  if (feed_names.size() != feeds.size()) return InvalidArgument("Expected one value per feed name");
  // TensorFlow's checks, in its order; none of them ends the partial run.
  std::vector<int> feed_ids;
  for (const std::string& name : feed_names) {
    auto it = state->feed_index.find(name);
    if (it == state->feed_index.end()) {
      return InvalidArgument("The feed " + name + " was not specified in partial_run_setup.");
    }
    if (state->fed[it->second] || std::find(feed_ids.begin(), feed_ids.end(), it->second) != feed_ids.end()) {
      return InvalidArgument("The feed " + name + " has already been fed.");
    }
    feed_ids.push_back(it->second);
  }
  std::vector<int> fetch_ids;
  for (const std::string& name : fetch_names) {
    auto it = state->fetch_index.find(name);
    if (it == state->fetch_index.end()) {
      return InvalidArgument("The fetch " + name + " was not specified in partial_run_setup.");
    }
    if (state->fetched[it->second]) return InvalidArgument("The fetch " + name + " has already been fetched.");
    fetch_ids.push_back(it->second);
  }
  std::vector<bool> fed = state->fed;
  for (int f : feed_ids) fed[f] = true;
  for (size_t i = 0; i < fetch_ids.size(); ++i) {
    if (!state->step->CanCompute(fetch_ids[i], fed)) {
      return InvalidArgument("Fetch " + fetch_names[i] + " can't be computed from the feeds that have been fed so far.");
    }
  }
  {
    std::lock_guard<std::mutex> lock(steps_mu_);
    if (closed()) return Cancelled("Session has been closed.");
    steps_.insert(&state->control);
  }
  Status s = state->step->Run(feed_ids, feeds);
  {
    std::lock_guard<std::mutex> lock(steps_mu_);
    steps_.erase(&state->control);
  }
  std::vector<Tensor> out;
  if (s.ok()) {
    out.reserve(fetch_ids.size());
    for (int f : fetch_ids) {
      StatusOr<Tensor> t = state->step->Take(f);
      if (!t.ok()) {
        s = t.status();
        break;
      }
      out.push_back(std::move(t).value());
    }
  }
  if (s.ok()) {
    for (int f : feed_ids) state->fed[f] = true;
    for (int f : fetch_ids) {
      if (!state->fetched[f]) {
        state->fetched[f] = true;
        --state->fetches_left;
      }
    }
    state->feeds_left -= static_cast<int>(feed_ids.size());
  }
  // A failed partial run ends; so does one whose feeds have all been fed and fetches all fetched.
  if (!s.ok() || (state->feeds_left == 0 && state->fetches_left == 0)) {
    state->dead = true;
    std::lock_guard<std::mutex> lock(partial_mu_);
    partial_runs_.erase(handle);
  }
  if (!s.ok()) return s;
  *fetches = std::move(out);
  return Status::OK();
}

size_t DirectSession::num_partial_runs() const {
  std::lock_guard<std::mutex> lock(partial_mu_);
  return partial_runs_.size();
}

uintptr_t DirectSession::inter_op_pool_id(int pool) const {
  return pool >= 0 && pool < static_cast<int>(pool_info_.size()) ? pool_info_[pool].id : 0;
}

std::vector<std::pair<std::string, std::string>> DirectSession::Placement() const {
  std::shared_lock<std::shared_mutex> lock(graph_mu_);
  return placer_.Assignments(graph_);
}

void DirectSession::Close() {
  {
    std::lock_guard<std::mutex> lock(plans_mu_);
    closed_ = true;
  }
  {
    std::lock_guard<std::mutex> lock(steps_mu_);
    for (StepController* step : steps_) step->Cancel(Cancelled("Session has been closed."));
  }
  std::unordered_map<std::string, std::shared_ptr<PartialRunState>> partial_runs;
  {
    std::lock_guard<std::mutex> lock(partial_mu_);
    partial_runs.swap(partial_runs_);  // a partial_run call in flight keeps its state until it returns
  }
  partial_runs.clear();
  std::unique_lock<std::shared_mutex> graph_lock(graph_mu_);
  std::lock_guard<std::mutex> lock(plans_mu_);
  plans_.clear();  // in-flight runs keep their plan (and its kernels) alive until they finish
  kernels_.Clear();
  resources_.Clear();  // in-flight kernels hold their Var by shared_ptr
}

bool DirectSession::closed() const {
  std::lock_guard<std::mutex> lock(plans_mu_);
  return closed_;
}

std::string DirectSession::SerializedGraphDef() const {
  std::shared_lock<std::shared_mutex> lock(graph_mu_);
  return EncodeGraphDef(graph_.ToGraphDef());
}

int DirectSession::num_nodes() const {
  std::shared_lock<std::shared_mutex> lock(graph_mu_);
  return graph_.num_nodes();
}

size_t DirectSession::num_cached_plans() const {
  std::lock_guard<std::mutex> lock(plans_mu_);
  return plans_.size();
}

}  // namespace graphrt
