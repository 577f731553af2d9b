// Text forms of a tensor's values, as TF prints them.
#pragma once
#include <string>

#include "graphrt/core/tensor.h"

namespace graphrt {

// Assert/Print (TF's Tensor::SummarizeValue): brackets below the outermost dimension, rows back to
// back ("[1 2][3 4]"; callers wrap the value in []),
// the first `max_entries` elements in row-major order and then "..." (no limit when negative).
std::string SummarizeTensor(const Tensor& t, int64_t max_entries);

// tf.print / StringFormat (numpy style): rows on new lines indented to their depth, and at most
// `summarize` leading and trailing entries per dimension with "..." between ("[0 1 ... 8 9]").
std::string FormatTensor(const Tensor& t, int64_t summarize);

}  // namespace graphrt
