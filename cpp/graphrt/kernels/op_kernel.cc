#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

StatusOr<Tensor> OpKernelContext::AllocateOutput(int i, DataType dtype, const Shape& shape, int reuse_input) {
  if (reuse_input >= 0 && reuse_input < num_inputs()) {
    Tensor& in = (*inputs_)[reuse_input];
    if (in.dtype() == dtype && in.num_elements() == shape.num_elements() && in.ClaimForRewrite()) {
      // The kernel may still read the input while writing the output: elementwise kernels
      // read element k before writing element k.
      Tensor out = in.WithShape(shape);
      (*outputs_)[i] = out;
      return out;
    }
  }
  ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, shape));
  (*outputs_)[i] = out;
  return out;
}

}  // namespace graphrt
