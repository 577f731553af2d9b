// Status and StatusOr: how every layer below the bindings reports failure.
// Codes are TensorFlow's (error_codes.proto) so the binding can map them 1:1 onto graphrt.errors.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace graphrt {

enum class Code : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

const char* CodeName(Code code);

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string node = "");

  static Status OK() { return Status(); }
  bool ok() const { return state_ == nullptr; }
  Code code() const { return ok() ? Code::kOk : state_->code; }
  const std::string& message() const;
  // Name of the node at fault, empty when the error is not about one node.
  const std::string& node() const;
  // Returns a copy naming `node` unless a node is already named.
  Status WithNode(const std::string& node) const;
  std::string ToString() const;

 private:
  struct State {
    Code code;
    std::string message;
    std::string node;
  };
  // Null when OK, so the common path copies one pointer.
  std::shared_ptr<const State> state_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status FailedPrecondition(std::string message);
Status OutOfRange(std::string message);
Status Internal(std::string message);
Status Unimplemented(std::string message);
Status ResourceExhausted(std::string message);
Status Cancelled(std::string message);
Status AlreadyExists(std::string message);

template <typename T>
class StatusOr {
 public:
  StatusOr(const Status& status) : value_(status) {}  // NOLINT: implicit by design
  StatusOr(T value) : value_(std::move(value)) {}      // NOLINT
  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& value() const& { return std::get<T>(value_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace graphrt

#define GRAPHRT_CONCAT_INNER(a, b) a##b
#define GRAPHRT_CONCAT(a, b) GRAPHRT_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::graphrt::Status _st = (expr);           \
    if (!_st.ok()) return _st;                \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(GRAPHRT_CONCAT(_status_or_, __LINE__), lhs, expr)
