// Shared machinery for elementwise kernels: half <-> float loads/stores, dtype dispatch and the
// broadcasting loop (flat fast paths, scalar operands, general strided broadcast), split across the
// intra-op pool for large tensors.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <string>
#include <vector>

#include "graphrt/core/tensor.h"
#include "graphrt/kernels/op_kernel.h"

namespace graphrt {

template <typename T> struct MathType { using type = T; };
template <> struct MathType<Half> { using type = float; };

template <typename T> inline typename MathType<T>::type Load(T v) { return v; }
inline float Load(Half v) { return HalfToFloat(v); }
template <typename T> inline T Store(typename MathType<T>::type v) { return v; }
template <> inline Half Store<Half>(float v) { return FloatToHalf(v); }

// Calls fn.template operator()<T>() for T = the C++ type of dt, if dt is in the numeric set.
template <typename Fn>
bool DispatchNumeric(DataType dt, Fn&& fn) {
  switch (dt) {
    case DT_FLOAT: fn(float{}); return true;
    case DT_DOUBLE: fn(double{}); return true;
    case DT_INT32: fn(int32_t{}); return true;
    case DT_INT64: fn(int64_t{}); return true;
    case DT_INT8: fn(int8_t{}); return true;
    case DT_INT16: fn(int16_t{}); return true;
    case DT_UINT8: fn(uint8_t{}); return true;
    case DT_UINT16: fn(uint16_t{}); return true;
    case DT_HALF: fn(Half{}); return true;
    case DT_BOOL: fn(bool{}); return true;
    default: return false;
  }
}

// Like DispatchNumeric without bool: the real number types.
// (Its own switch: the functor is never instantiated for bool.)
template <typename Fn>
bool DispatchReal(DataType dt, Fn&& fn) {
  switch (dt) {
    case DT_FLOAT: fn(float{}); return true;
    case DT_DOUBLE: fn(double{}); return true;
    case DT_INT32: fn(int32_t{}); return true;
    case DT_INT64: fn(int64_t{}); return true;
    case DT_INT8: fn(int8_t{}); return true;
    case DT_INT16: fn(int16_t{}); return true;
    case DT_UINT8: fn(uint8_t{}); return true;
    case DT_UINT16: fn(uint16_t{}); return true;
    case DT_HALF: fn(Half{}); return true;
    default: return false;
  }
}

// Like DispatchNumeric plus strings: for ops that only move values.
template <typename Fn>
bool DispatchAllTypes(DataType dt, Fn&& fn) {
  if (dt == DT_STRING) {
    fn(std::string{});
    return true;
  }
  return DispatchNumeric(dt, fn);
}

// Runs body(begin, end) over [0, n), in parallel when the work is large. `cost` is the rough
// per-element cost in units of one add: memory-bound loops (cost 1) only split when very large,
// since a second core buys little bandwidth and the hand-off costs tens of microseconds.
template <typename Body>
void ForRange(ThreadPool* pool, int64_t n, const Body& body, int cost = 1) {
  const int64_t min_elements = cost <= 1 ? kParallelMinElementsMemoryBound : kParallelMinElements * 4 / cost;
  if (pool == nullptr || pool->num_threads() == 0 || n < min_elements) {
    body(0, n);
  } else {
    pool->ParallelFor(n, min_elements / 2, body);
  }
}

// out[i] = f(a[ia], b[ib]) with numpy broadcasting of a and b to out's shape.
template <typename TA, typename TB, typename TO, typename F>
void BroadcastBinary(const Tensor& a, const Tensor& b, const Tensor& out, ThreadPool* pool, const F& f) {
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  TO* po = out.data<TO>();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const int64_t na = a.num_elements(), nb = b.num_elements();
  if (na == n && nb == n) {
    ForRange(pool, n, [&](int64_t s, int64_t e) { for (int64_t i = s; i < e; ++i) po[i] = f(pa[i], pb[i]); });
    return;
  }
  if (nb == 1 && na == n) {
    const TB bv = pb[0];
    ForRange(pool, n, [&](int64_t s, int64_t e) { for (int64_t i = s; i < e; ++i) po[i] = f(pa[i], bv); });
    return;
  }
  if (na == 1 && nb == n) {
    const TA av = pa[0];
    ForRange(pool, n, [&](int64_t s, int64_t e) { for (int64_t i = s; i < e; ++i) po[i] = f(av, pb[i]); });
    return;
  }
  // General case: strides of 0 on broadcast dimensions; the last dimension is the inner loop.
  const int rank = out.shape().rank();
  std::vector<int64_t> dims(out.shape().dims()), sa(rank, 0), sb(rank, 0);
  {
    int64_t ma = 1, mb = 1;
    for (int i = rank - 1; i >= 0; --i) {
      int ia = a.shape().rank() - rank + i, ib = b.shape().rank() - rank + i;
      int64_t da = ia >= 0 ? a.shape().dim(ia) : 1, db = ib >= 0 ? b.shape().dim(ib) : 1;
      sa[i] = da == 1 ? 0 : ma;
      sb[i] = db == 1 ? 0 : mb;
      ma *= da;
      mb *= db;
    }
  }
  const int64_t inner = dims[rank - 1];
  const int64_t rows = n / inner;
  const int64_t ia_step = sa[rank - 1], ib_step = sb[rank - 1];
  auto run_rows = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t rem = r, oa = 0, ob = 0;
      for (int d = rank - 2; d >= 0; --d) {
        int64_t idx = rem % dims[d];
        rem /= dims[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      TO* o = po + r * inner;
      for (int64_t j = 0; j < inner; ++j) o[j] = f(pa[oa + j * ia_step], pb[ob + j * ib_step]);
    }
  };
  if (pool == nullptr || pool->num_threads() == 0 || n < kParallelMinElementsMemoryBound) {
    run_rows(0, rows);
  } else {
    int64_t min_rows = std::max<int64_t>(1, (kParallelMinElementsMemoryBound / 2) / std::max<int64_t>(inner, 1));
    pool->ParallelFor(rows, min_rows, run_rows);
  }
}

}  // namespace graphrt
