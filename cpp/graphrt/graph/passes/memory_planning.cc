#include "graphrt/graph/passes/memory_planning.h"

namespace graphrt {

int CountInPlaceCandidates(const std::vector<int>& slot_consumers, const std::vector<char>& owned) {
  int count = 0;
  for (size_t s = 0; s < slot_consumers.size() && s < owned.size(); ++s) count += owned[s] && slot_consumers[s] == 1;
  return count;
}

}  // namespace graphrt
