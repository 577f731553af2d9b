// Direct float32 NHWC convolution for inputs with few channels (a network's first layer: C = 1 or 3),
// where im2col would copy C values at a time and the gemm would be tiny in k and n. Each output row
// (image, oh) is computed from a zero-padded, channel-planar copy of the kh input rows under it: a
// register tile of up to 8 output channels x 32 output columns accumulates over every (i, j, c) of
// the window, vectorized along the output width (AVX-512 where the CPU has it).
#pragma once
#include <cstdint>

#include "graphrt/kernels/conv_util.h"

namespace graphrt {

// Whether the direct path applies: few input channels, unit stride and dilation along the width.
bool CanConvDirect(const Dims4& in, const Dims4& od, const ConvParams& p, int64_t kw);

// Output rows [row_begin, row_end) (row = image * out_h + oh) of y (NHWC), from x (NHWC) and the
// filter f (HWIO).
void ConvDirectRows(const float* x, const float* f, const Dims4& in, const Dims4& od, int64_t kh, int64_t kw,
                    const ConvParams& p, int64_t pad_t, int64_t pad_l, int64_t row_begin, int64_t row_end, float* y);

}  // namespace graphrt
