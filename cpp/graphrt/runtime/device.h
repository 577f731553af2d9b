// Devices and placement. A session has N CPU devices (ConfigProto.device_count['CPU'], default 1),
// named /job:localhost/replica:0/task:0/device:CPU:<i>; they all run on the session's thread pools,
// so a placement is a record (and a log line), not a change in how a node executes.
//
// The Placer assigns each node a device the first time a plan needs it, following TensorFlow's
// placer: a node's requested device (NodeDef.device, possibly partial) must match a session device
// unless soft placement is on; nodes of one colocation group (the `_class` attr's "loc:@name"
// entries) share a device; a "generator" (no data inputs, one output) goes where all its consumers
// are, a metadata op (Shape, Size, Rank, ShapeN) where its input is. Assignments are kept for the
// session's lifetime, so placement runs once per node, never per step.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graphrt/core/status.h"
#include "graphrt/graph/graph.h"

namespace graphrt {

// A (possibly partial) device name, as TensorFlow's DeviceNameUtils::ParsedName.
struct DeviceName {
  bool has_job = false, has_replica = false, has_task = false, has_type = false, has_id = false;
  std::string job, type;
  int replica = 0, task = 0, id = 0;

  bool HasSomeDetails() const { return has_job || has_replica || has_task || has_type || has_id; }
  bool operator==(const DeviceName& o) const;
};

// Parses "/job:x/replica:0/task:0/device:CPU:0" and the short forms ("/cpu:0", "/device:CPU",
// "/gpu:*", "/job:localhost"); false when malformed. "" and "/" parse to an empty name.
bool ParseDeviceName(std::string_view spec, DeviceName* out);
// "/job:x/replica:0/task:0/device:CPU:0" with only the fields set ("/device:CPU:*" without an id).
std::string DeviceNameToString(const DeviceName& name);
// Merges `other` into `target`, as DeviceNameUtils::MergeDevNames: conflicting fields are an
// InvalidArgument, except that soft placement drops a conflicting type or id instead.
Status MergeDeviceNames(DeviceName* target, const DeviceName& other, bool allow_soft_placement);
// Whether every field set in `pattern` equals that field of `device`.
bool DeviceNameMatches(const DeviceName& pattern, const DeviceName& device);

struct Device {
  std::string name;         // /job:localhost/replica:0/task:0/device:CPU:0
  std::string device_type;  // "CPU"
  DeviceName parsed;
  int64_t memory_limit_bytes = 0;
  uint64_t incarnation = 0;  // random, nonzero, fixed for the device's lifetime
};

// `count` CPU devices of this process (memory limit: the machine's physical memory).
std::vector<Device> CreateCpuDevices(int count);

class Placer {
 public:
  Placer(std::vector<Device> devices, bool allow_soft_placement, bool log_device_placement);

  const std::vector<Device>& devices() const { return devices_; }

  // Registers the colocation groups of the graph's nodes added since the last call. Call after
  // each successful Graph::Extend (with the graph not changing meanwhile).
  void AddNodes(const Graph& graph);

  // Assigns a device to each of `nodes` (one plan's nodes) not yet placed; all or nothing. Errors are
  // InvalidArgument with TensorFlow's wording, naming the node. With log_device_placement, prints
  // "<name>: (<op>): <device>" to stderr for each node placed by this call.
  Status Place(const Graph& graph, const std::vector<int>& nodes);

  // The device index a node was placed on, -1 when not placed yet.
  int assigned(int node) const;
  // (node name, device name) for every placed node, in node order.
  std::vector<std::pair<std::string, std::string>> Assignments(const Graph& graph) const;

 private:
  int Key(const std::string& key);
  int Find(int key);
  void Union(int a, int b);
  Status GroupDevices(const Graph& graph, int node, int root, std::vector<int>* possible);
  std::vector<int> MatchingDevices(const DeviceName& spec) const;
  std::string SortedDeviceNames() const;

  std::vector<Device> devices_;
  bool allow_soft_placement_;
  bool log_device_placement_;
  mutable std::mutex mu_;
  // Union-find over colocation group names ("loc:@name" without the prefix).
  std::unordered_map<std::string, int> key_index_;
  std::vector<int> parent_;
  std::vector<std::vector<int>> members_;  // node ids of each root's group
  std::vector<int> group_device_;          // per root key: device of the group's placed nodes, or -1
  std::vector<int> node_key_;              // per node: one of its group keys
  std::vector<int> assigned_;              // per node: device index or -1
};

}  // namespace graphrt
