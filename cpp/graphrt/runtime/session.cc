#include "graphrt/runtime/session.h"

#include "graphrt/graph/graph_def.h"

namespace graphrt {

DirectSession::DirectSession(const SessionOptions& options)
    : inter_op_threads_(options.inter_op_threads > 0 ? options.inter_op_threads : DefaultThreadCount()),
      intra_op_threads_(options.intra_op_threads > 0 ? options.intra_op_threads : DefaultThreadCount()),
      kernels_(KernelEnv{&graph_.library(), &resources_}) {
  inter_op_ = std::make_unique<ThreadPool>(inter_op_threads_ - 1);
  intra_op_ = std::make_unique<ThreadPool>(intra_op_threads_ - 1);
  env_.inter_op = inter_op_.get();
  env_.intra_op = intra_op_.get();
}

DirectSession::~DirectSession() = default;

Status DirectSession::Extend(std::string_view bytes) {
  GraphDef def;
  RETURN_IF_ERROR(DecodeGraphDef(bytes, &def));
  std::unique_lock<std::shared_mutex> lock(graph_mu_);
  if (closed_) return Cancelled("Session has been closed.");
  return graph_.Extend(def);
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
  ASSIGN_OR_RETURN(std::shared_ptr<const Plan> plan, BuildPlan(graph_, &kernels_, feeds, fetches, targets));
  std::lock_guard<std::mutex> lock(plans_mu_);
  return plans_.emplace(key, std::move(plan)).first->second;
}

Status DirectSession::Run(const Plan& plan, const std::vector<Tensor>& feeds, std::vector<Tensor>* fetches) {
  return RunStep(plan, feeds, env_, fetches);
}

void DirectSession::Close() {
  std::unique_lock<std::shared_mutex> graph_lock(graph_mu_);
  std::lock_guard<std::mutex> lock(plans_mu_);
  closed_ = true;
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
