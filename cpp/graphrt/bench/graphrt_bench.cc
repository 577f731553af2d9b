// graphrt_bench: runs a serialized GraphDef (written by graphrt or TensorFlow) without Python.
// Every Placeholder not given a shape gets random data of its declared shape (unknown dims = 1).
//
//   graphrt_bench GRAPH.pb [--fetch NAME[:k]]... [--target NAME]... [--shape NAME=d0,d1,...]...
//                 [--iters N] [--warmup N] [--inter N] [--intra N]
//
// Prints p50/p90/p99 latency per step and throughput; exits 1 with the error on failure.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graphrt/graph/graph_def.h"
#include "graphrt/kernels/attrs.h"
#include "graphrt/runtime/session.h"

using namespace graphrt;

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: graphrt_bench GRAPH.pb [--fetch NAME]... [--target NAME]... [--shape NAME=d0,d1]...\n"
               "                     [--iters N] [--warmup N] [--inter N] [--intra N]\n");
  return 2;
}

Status RandomFill(Tensor* t, std::mt19937_64* rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const int64_t n = t->num_elements();
  switch (t->dtype()) {
    case DT_FLOAT: for (int64_t i = 0; i < n; ++i) t->data<float>()[i] = static_cast<float>(u(*rng)); break;
    case DT_DOUBLE: for (int64_t i = 0; i < n; ++i) t->data<double>()[i] = u(*rng); break;
    case DT_INT32: for (int64_t i = 0; i < n; ++i) t->data<int32_t>()[i] = static_cast<int32_t>((*rng)() % 100); break;
    case DT_INT64: for (int64_t i = 0; i < n; ++i) t->data<int64_t>()[i] = static_cast<int64_t>((*rng)() % 100); break;
    case DT_BOOL: for (int64_t i = 0; i < n; ++i) t->data<bool>()[i] = ((*rng)() & 1) != 0; break;
    case DT_UINT8: for (int64_t i = 0; i < n; ++i) t->data<uint8_t>()[i] = static_cast<uint8_t>((*rng)()); break;
    case DT_HALF: for (int64_t i = 0; i < n; ++i) t->data<Half>()[i] = FloatToHalf(static_cast<float>(u(*rng))); break;
    default: return InvalidArgument("cannot make random data of type " + DataTypeName(t->dtype()));
  }
  return Status::OK();
}

std::vector<int64_t> ParseDims(const std::string& s) {
  std::vector<int64_t> dims;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) dims.push_back(std::stoll(item));
  }
  return dims;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Fail(const Status& s) {
  std::fprintf(stderr, "graphrt_bench: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string path = argv[1];
  std::vector<std::string> fetches, targets;
  std::map<std::string, std::vector<int64_t>> shapes;
  int iters = 1000, warmup = 50, inter = 0, intra = 0;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--fetch") fetches.push_back(next());
    else if (a == "--target") targets.push_back(next());
    else if (a == "--shape") {
      std::string v = next();
      size_t eq = v.find('=');
      if (eq == std::string::npos) return Usage();
      shapes[v.substr(0, eq)] = ParseDims(v.substr(eq + 1));
    } else if (a == "--iters") iters = std::atoi(next().c_str());
    else if (a == "--warmup") warmup = std::atoi(next().c_str());
    else if (a == "--inter") inter = std::atoi(next().c_str());
    else if (a == "--intra") intra = std::atoi(next().c_str());
    else return Usage();
  }
  if (iters < 1) return Usage();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "graphrt_bench: cannot read %s\n", path.c_str());
    return 1;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  GraphDef def;
  Status s = DecodeGraphDef(bytes, &def);
  if (!s.ok()) return Fail(s);
  if (def.node.empty()) return Fail(InvalidArgument("graph has no nodes"));
  if (fetches.empty() && targets.empty()) fetches.push_back(def.node.back().name + ":0");

  DirectSession session(SessionOptions{inter, intra});
  s = session.Extend(bytes);
  if (!s.ok()) return Fail(s);

  // Random feeds for every placeholder (PlaceholderWithDefault keeps its default).
  std::mt19937_64 rng(42);
  std::vector<std::string> feed_names;
  std::vector<Tensor> feeds;
  for (const NodeDef& n : def.node) {
    if (n.op != "Placeholder") continue;
    auto dtype = GetTypeAttr(n, "dtype");
    if (!dtype.ok()) return Fail(dtype.status());
    std::vector<int64_t> dims;
    if (shapes.count(n.name)) {
      dims = shapes[n.name];
    } else {
      auto shape = GetShapeAttr(n, "shape");
      if (shape.ok() && !shape->unknown_rank) {
        for (int64_t d : shape->dims) dims.push_back(d < 0 ? 1 : d);
      }
    }
    auto t = Tensor::Allocate(dtype.value(), Shape(dims));
    if (!t.ok()) return Fail(t.status());
    s = RandomFill(&t.value(), &rng);
    if (!s.ok()) return Fail(s);
    feed_names.push_back(n.name + ":0");
    feeds.push_back(t.value());
  }
  auto plan = session.GetPlan(feed_names, fetches, targets);
  if (!plan.ok()) return Fail(plan.status());
  std::vector<Tensor> outs;
  for (int i = 0; i < warmup; ++i) {
    s = session.Run(*plan.value(), feeds, &outs);
    if (!s.ok()) return Fail(s);
  }
  std::vector<double> us(iters);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    s = session.Run(*plan.value(), feeds, &outs);
    auto t1 = std::chrono::steady_clock::now();
    if (!s.ok()) return Fail(s);
    us[i] = std::chrono::duration<double, std::micro>(t1 - t0).count();
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("graph: %s (%zu nodes, %zu plan nodes)\n", path.c_str(), def.node.size(), plan.value()->nodes.size());
  std::printf("threads: inter_op=%d intra_op=%d\n", session.inter_op_threads(), session.intra_op_threads());
  std::printf("iterations: %d (warm-up %d)\n", iters, warmup);
  std::printf("latency_us: p50=%.2f p90=%.2f p99=%.2f\n", Percentile(us, 0.5), Percentile(us, 0.9), Percentile(us, 0.99));
  std::printf("throughput: %.1f steps/s\n", iters / total_s);
  for (size_t i = 0; i < outs.size(); ++i) {
    std::printf("fetch %s: %s\n", fetches.size() > i ? fetches[i].c_str() : "?", outs[i].DebugString().c_str());
  }
  return 0;
}
