#include "graphrt/runtime/device.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <random>

namespace graphrt {

bool DeviceName::operator==(const DeviceName& o) const {
  return has_job == o.has_job && (!has_job || job == o.job) && has_replica == o.has_replica &&
         (!has_replica || replica == o.replica) && has_task == o.has_task && (!has_task || task == o.task) &&
         has_type == o.has_type && (!has_type || type == o.type) && has_id == o.has_id && (!has_id || id == o.id);
}

namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

// A non-negative decimal that fits an int.
bool ParseIndex(std::string_view s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsName(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

// "*" leaves the field unset; otherwise a number.
bool ParseOptionalIndex(std::string_view s, bool* has, int* value) {
  if (s == "*") {
    *has = false;
    return true;
  }
  *has = true;
  return ParseIndex(s, value);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Device types written in the short form ("/cpu:0", "/GPU:1"), as TensorFlow's Python parser.
bool IsShortDeviceType(std::string_view s) {
  const std::string u = Upper(s);
  return u == "CPU" || u == "GPU" || u == "TPU" || u == "CUSTOM" || u == "EPU";
}

}  // namespace

bool ParseDeviceName(std::string_view spec, DeviceName* out) {
  *out = DeviceName();
  bool seen_type = false;
  for (std::string_view part : Split(spec, '/')) {
    if (part.empty()) continue;
    std::vector<std::string_view> f = Split(part, ':');
    if (f.size() == 2 && f[0] == "job") {
      if (f[1] == "*") {
        out->has_job = false;
      } else {
        if (!IsName(f[1])) return false;
        out->has_job = true;
        out->job = std::string(f[1]);
      }
    } else if (f.size() == 2 && f[0] == "replica") {
      if (!ParseOptionalIndex(f[1], &out->has_replica, &out->replica)) return false;
    } else if (f.size() == 2 && f[0] == "task") {
      if (!ParseOptionalIndex(f[1], &out->has_task, &out->task)) return false;
    } else if ((f.size() == 2 || f.size() == 3) && f[0] == "device") {
      if (seen_type) return false;
      seen_type = true;
      if (f[1] == "*") {
        out->has_type = false;
      } else {
        if (!IsName(f[1])) return false;
        out->has_type = true;
        out->type = (f[1] == "cpu" || f[1] == "gpu") ? Upper(f[1]) : std::string(f[1]);
      }
      out->has_id = false;
      if (f.size() == 3 && !ParseOptionalIndex(f[2], &out->has_id, &out->id)) return false;
    } else if ((f.size() == 1 || f.size() == 2) && IsShortDeviceType(f[0])) {
      if (seen_type) return false;
      seen_type = true;
      out->has_type = true;
      out->type = Upper(f[0]);
      out->has_id = false;
      if (f.size() == 2 && !ParseOptionalIndex(f[1], &out->has_id, &out->id)) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string DeviceNameToString(const DeviceName& n) {
  std::string s;
  if (n.has_job) s += "/job:" + n.job;
  if (n.has_replica) s += "/replica:" + std::to_string(n.replica);
  if (n.has_task) s += "/task:" + std::to_string(n.task);
  if (n.has_type) s += "/device:" + n.type + ":" + (n.has_id ? std::to_string(n.id) : std::string("*"));
  return s;
}

Status MergeDeviceNames(DeviceName* target, const DeviceName& other, bool allow_soft_placement) {
  auto conflict = [&](const char* what) {
    return InvalidArgument(std::string("Cannot merge devices with incompatible ") + what + ": '" +
                           DeviceNameToString(*target) + "' and '" + DeviceNameToString(other) + "'");
  };
  if (other.has_job) {
    if (target->has_job && target->job != other.job) return conflict("jobs");
    target->has_job = true;
    target->job = other.job;
  }
  if (other.has_replica) {
    if (target->has_replica && target->replica != other.replica) return conflict("replicas");
    target->has_replica = true;
    target->replica = other.replica;
  }
  if (other.has_task) {
    if (target->has_task && target->task != other.task) return conflict("tasks");
    target->has_task = true;
    target->task = other.task;
  }
  if (other.has_type) {
    if (target->has_type && target->type != other.type) {
      if (!allow_soft_placement) return conflict("types");
      target->has_type = false;
      target->has_id = false;
      return Status::OK();
    }
    target->has_type = true;
    target->type = other.type;
  }
  if (other.has_id) {
    if (target->has_id && target->id != other.id) {
      if (!allow_soft_placement) return conflict("ids");
      target->has_id = false;
      return Status::OK();
    }
    target->has_id = true;
    target->id = other.id;
  }
  return Status::OK();
}

bool DeviceNameMatches(const DeviceName& p, const DeviceName& d) {
  if (p.has_job && (!d.has_job || p.job != d.job)) return false;
  if (p.has_replica && (!d.has_replica || p.replica != d.replica)) return false;
  if (p.has_task && (!d.has_task || p.task != d.task)) return false;
  if (p.has_type && (!d.has_type || p.type != d.type)) return false;
  if (p.has_id && (!d.has_id || p.id != d.id)) return false;
  return true;
}

std::vector<Device> CreateCpuDevices(int count) {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  const int64_t memory = pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : 0;
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::vector<Device> devices;
  for (int i = 0; i < count; ++i) {
    Device d;
    d.name = "/job:localhost/replica:0/task:0/device:CPU:" + std::to_string(i);
    d.device_type = "CPU";
    ParseDeviceName(d.name, &d.parsed);
    d.memory_limit_bytes = memory;
    do {
      d.incarnation = rng();
    } while (d.incarnation == 0);
    devices.push_back(std::move(d));
  }
  return devices;
}

// ---- Placer ----------------------------------------------------------------------------------

Placer::Placer(std::vector<Device> devices, bool allow_soft_placement, bool log_device_placement)
    : devices_(std::move(devices)),
      allow_soft_placement_(allow_soft_placement),
      log_device_placement_(log_device_placement) {}

int Placer::Key(const std::string& key) {
  auto it = key_index_.find(key);
  if (it != key_index_.end()) return it->second;
  const int k = static_cast<int>(parent_.size());
  key_index_.emplace(key, k);
  parent_.push_back(k);
  members_.emplace_back();
  group_device_.push_back(-1);
  return k;
}

int Placer::Find(int k) {
  while (parent_[k] != k) {
    parent_[k] = parent_[parent_[k]];
    k = parent_[k];
  }
  return k;
}

void Placer::Union(int a, int b) {
  a = Find(a);
  b = Find(b);
  if (a == b) return;
  if (members_[a].size() < members_[b].size()) std::swap(a, b);
  parent_[b] = a;
  members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
  members_[b].clear();
  members_[b].shrink_to_fit();
  if (group_device_[a] < 0) group_device_[a] = group_device_[b];
}

void Placer::AddNodes(const Graph& graph) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int id = static_cast<int>(node_key_.size()); id < graph.num_nodes(); ++id) {
    const NodeDef& def = graph.node(id).def;
    std::vector<int> keys;
    auto it = def.attr.find("_class");
    if (it != def.attr.end()) {
      for (const std::string& s : it->second.list.s) {
        if (s.compare(0, 5, "loc:@") == 0) keys.push_back(Key(s.substr(5)));
      }
    }
    if (keys.empty()) keys.push_back(Key(def.name));
    for (size_t i = 1; i < keys.size(); ++i) Union(keys[0], keys[i]);
    node_key_.push_back(keys[0]);
    members_[Find(keys[0])].push_back(id);
    assigned_.push_back(-1);
  }
}

std::vector<int> Placer::MatchingDevices(const DeviceName& spec) const {
  std::vector<int> out;
  for (size_t i = 0; i < devices_.size(); ++i) {
    if (DeviceNameMatches(spec, devices_[i].parsed)) out.push_back(static_cast<int>(i));
  }
  // TensorFlow's order: by device type priority (one type here), then by name.
  std::sort(out.begin(), out.end(), [this](int a, int b) { return devices_[a].name < devices_[b].name; });
  return out;
}

std::string Placer::SortedDeviceNames() const {
  std::vector<std::string> names;
  for (const Device& d : devices_) names.push_back(d.name);
  std::sort(names.begin(), names.end());
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

// The devices the node's colocation group may use: those matching the merged requests of all its
// members (and the device of members already placed).
Status Placer::GroupDevices(const Graph& graph, int node, int root, std::vector<int>* possible) {
  const NodeDef& def = graph.node(node).def;
  DeviceName merged;
  const NodeDef* first = nullptr;
  for (int m : members_[root]) {
    const NodeDef& md = graph.node(m).def;
    DeviceName req;
    if (!ParseDeviceName(md.device, &req)) {
      return InvalidArgument("Malformed device specification '" + md.device + "' in node: " + md.name)
          .WithNode(md.name);
    }
    if (!req.HasSomeDetails()) continue;
    if (first == nullptr) first = &md;
    Status s = MergeDeviceNames(&merged, req, allow_soft_placement_);
    if (!s.ok()) {
      return InvalidArgument("Cannot colocate nodes " + first->name + " and " + md.name + ": " + s.message())
          .WithNode(md.name);
    }
  }
  if (group_device_[root] >= 0) {
    Status s = MergeDeviceNames(&merged, devices_[group_device_[root]].parsed, allow_soft_placement_);
    if (!s.ok()) {
      return InvalidArgument("Cannot colocate nodes " + def.name + " and the nodes already placed with it: " +
                             s.message())
          .WithNode(def.name);
    }
  }
  *possible = MatchingDevices(merged);
  if (!merged.HasSomeDetails()) {
    if (possible->empty()) return Internal("No devices are registered");
    return Status::OK();
  }
  if (possible->empty() && allow_soft_placement_) {
    // Soft placement keeps the job/replica/task of the request and drops the type and index.
    DeviceName soft = merged;
    soft.has_type = false;
    soft.type.clear();
    soft.has_id = false;
    *possible = MatchingDevices(soft);
  }
  if (!possible->empty()) return Status::OK();

  const std::string prefix = "Cannot assign a device for operation " + def.name + ": ";
  DeviceName specified;
  std::string msg;
  if (ParseDeviceName(def.device, &specified) && specified == merged) {
    bool known_type = !specified.has_type;
    for (const Device& d : devices_) known_type = known_type || d.device_type == specified.type;
    if (!known_type) {
      msg = "Could not satisfy explicit device specification '" + def.device + "' because no supported kernel for " +
            specified.type + " devices is available.";
    } else {
      msg = "Could not satisfy explicit device specification '" + def.device +
            "' because no devices matching that specification are registered in this process; available "
            "devices: " +
            SortedDeviceNames();
    }
  } else {
    msg = "Could not satisfy explicit device specification '" + def.device + "' because the node " + def.name +
          " was colocated with a group of nodes that required incompatible device '" + DeviceNameToString(merged) +
          "'. All available devices [" + SortedDeviceNames() + "].";
  }
  return InvalidArgument(prefix + msg).WithNode(def.name);
}

Status Placer::Place(const Graph& graph, const std::vector<int>& nodes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(assigned_.size()) < graph.num_nodes()) {
    return Internal("Placer: graph nodes were added without AddNodes");
  }
  std::vector<int> todo;
  for (int n : nodes) {
    if (assigned_[n] < 0) todo.push_back(n);
  }
  if (todo.empty()) return Status::OK();
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());

  // Consumers of each node within this plan (data and control edges), for the generator heuristic;
  // filled before the second pass.
  std::unordered_map<int, std::vector<int>> consumers;
  // TensorFlow's IsGeneratorNode: no data inputs, one output that is not a reference (the ops
  // below are the ones whose output is a ref in TensorFlow).
  auto is_generator = [&](int n) {
    const Node& node = graph.node(n);
    const std::string& op = node.def.op;
    return node.inputs.empty() && node.num_outputs == 1 && op != "VariableV2" && op != "Variable" &&
           op != "TemporaryVariable";
  };
  auto is_metadata = [&](int n) {
    const std::string& op = graph.node(n).def.op;
    return !graph.node(n).inputs.empty() && (op == "Shape" || op == "ShapeN" || op == "Rank" || op == "Size");
  };

  // Placed by this call, to log or to undo.
  std::vector<int> placed;
  std::vector<std::pair<int, int>> group_set;  // (root, previous group device)
  auto undo = [&] {
    for (int n : placed) assigned_[n] = -1;
    for (auto it = group_set.rbegin(); it != group_set.rend(); ++it) group_device_[it->first] = it->second;
  };
  // Possible devices per group root, computed once per call and group device (a group's members
  // share them; the first member placed narrows them to its device).
  std::unordered_map<int, std::pair<int, std::vector<int>>> possible_cache;
  auto place = [&](int n, bool second_pass) -> Status {
    const int root = Find(node_key_[n]);
    auto cached = possible_cache.find(root);
    if (cached == possible_cache.end() || cached->second.first != group_device_[root]) {
      std::vector<int> devices;
      Status s = GroupDevices(graph, n, root, &devices);
      if (!s.ok()) return s;
      cached = possible_cache.insert_or_assign(root, std::make_pair(group_device_[root], std::move(devices))).first;
    }
    const std::vector<int>& possible = cached->second.second;
    int device = -1;
    auto allowed = [&](int d) { return d >= 0 && std::find(possible.begin(), possible.end(), d) != possible.end(); };
    if (group_device_[root] >= 0 && allowed(group_device_[root])) device = group_device_[root];
    if (device < 0 && !second_pass && is_metadata(n)) {
      const int in = assigned_[graph.node(n).inputs[0].node];
      if (allowed(in)) device = in;
    }
    if (device < 0 && second_pass) {
      auto it = consumers.find(n);
      if (it != consumers.end() && !it->second.empty()) {
        const int d0 = assigned_[it->second[0]];
        bool same = true;
        for (int c : it->second) same = same && assigned_[c] == d0;
        if (same && allowed(d0)) device = d0;
      }
    }
    if (device < 0) device = possible.front();
    assigned_[n] = device;
    placed.push_back(n);
    if (group_device_[root] != device) {
      group_set.emplace_back(root, group_device_[root]);
      group_device_[root] = device;
    }
    return Status::OK();
  };
  // TensorFlow's order: every other node first, then generators (so they can follow their consumers).
  std::vector<int> generators;
  for (int n : todo) {
    if (is_generator(n)) {
      generators.push_back(n);
      continue;
    }
    Status s = place(n, false);
    if (!s.ok()) {
      undo();
      return s;
    }
  }
  if (!generators.empty()) {
    for (int n : nodes) {
      const Node& node = graph.node(n);
      for (const TensorId& in : node.inputs) consumers[in.node].push_back(n);
      for (int c : node.control_inputs) consumers[c].push_back(n);
    }
  }
  for (int n : generators) {
    Status s = place(n, true);
    if (!s.ok()) {
      undo();
      return s;
    }
  }
  if (log_device_placement_) {
    std::string log;
    for (int n : placed) {
      const NodeDef& def = graph.node(n).def;
      log += def.name + ": (" + def.op + "): " + devices_[assigned_[n]].name + "\n";
    }
    std::fwrite(log.data(), 1, log.size(), stderr);
    std::fflush(stderr);
  }
  return Status::OK();
}

int Placer::assigned(int node) const {
  std::lock_guard<std::mutex> lock(mu_);
  return node >= 0 && node < static_cast<int>(assigned_.size()) ? assigned_[node] : -1;
}

std::vector<std::pair<std::string, std::string>> Placer::Assignments(const Graph& graph) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t n = 0; n < assigned_.size() && static_cast<int>(n) < graph.num_nodes(); ++n) {
    if (assigned_[n] >= 0) out.emplace_back(graph.node(static_cast<int>(n)).def.name, devices_[assigned_[n]].name);
  }
  return out;
}

}  // namespace graphrt
