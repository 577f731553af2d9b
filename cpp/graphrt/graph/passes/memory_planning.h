// Memory planning. Buffer reuse by liveness happens at run time, in the executor and the kernels,
// rather than as a static buffer assignment:
// - Every plan slot has a consumer count (Plan::slot_consumers: its data readers, +1 when fetched).
//   The executor copies a slot's Tensor into a node's inputs and, on the last read, clears the slot,
//   so the reading kernel holds the only reference to the buffer once nothing else needs it.
// - OpKernelContext::AllocateOutput(i, dtype, shape, reuse_input) then hands that input's buffer to
//   the output when it has the same dtype and element count and Tensor::ClaimForRewrite() holds (one
//   reference, owned, never a borrowed feed and never a Const's value; the claim renews the buffer's
//   content stamp, which caches of derived data key on): elementwise kernels, BiasAdd,
//   AddN and the fused elementwise kernel write their result in place, so a chain of elementwise
//   nodes runs in one buffer. A fetched slot is never freed (its +1), and a feed is borrowed, so
//   neither is ever overwritten.
// - Fusion removes the intermediate buffers altogether (_FusedElementwise keeps intermediates in a
//   per-thread L1 scratch; _FusedMatMul/_FusedConv2D apply the epilogue in place on the contraction's
//   output), and the freed buffers go back to the allocator as soon as their last reader is done.
// The memory_optimization switch (RewriterConfig.memory_optimization = NO_MEM_OPT turns it off)
// controls whether fused kernels reuse input buffers; PlanMemory counts the slots that the executor
// can forward in place (read once, not fetched) for Plan::stats.
#pragma once
#include "graphrt/graph/passes/opt_graph.h"

namespace graphrt {

// Number of slots read exactly once and not fetched, among those whose buffer a kernel may own
// (`owned`: not a feed, not a constant's value).
int CountInPlaceCandidates(const std::vector<int>& slot_consumers, const std::vector<char>& owned);

}  // namespace graphrt
