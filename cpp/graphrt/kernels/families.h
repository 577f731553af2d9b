// One registration function per kernel family (one .cc file each).
#pragma once

namespace graphrt {
class OpRegistry;
void RegisterArrayKernels(OpRegistry* r);        // array_kernels.cc: Const, Placeholder, Identity, NoOp, AddN, ...
void RegisterElementwiseKernels(OpRegistry* r);  // elementwise.cc: unary and broadcasting binary math
void RegisterCastKernels(OpRegistry* r);         // cast.cc
void RegisterMatMulKernels(OpRegistry* r);       // matmul.cc
void RegisterShapeKernels(OpRegistry* r);        // shape_kernels.cc: Shape, Reshape, Fill, StridedSlice
}  // namespace graphrt
