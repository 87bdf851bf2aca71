// The result type of every loader step: a value or one complete, user-facing
// error message ("prog.o: error: what is wrong; what to do").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ebpfc::runtime {

struct LoadError {
  std::string message; // complete, starts with the file name
};

// "file: error: what"
inline LoadError errorIn(std::string_view file, std::string_view what) {
  std::string message(file);
  message += ": error: ";
  message += what;
  return LoadError{std::move(message)};
}

template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Expected(LoadError error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T &operator*() & { return std::get<0>(state_); }
  const T &operator*() const & { return std::get<0>(state_); }
  T &&operator*() && { return std::get<0>(std::move(state_)); }
  T *operator->() { return &std::get<0>(state_); }
  const T *operator->() const { return &std::get<0>(state_); }

  const LoadError &error() const { return std::get<1>(state_); }
  LoadError takeError() { return std::get<1>(std::move(state_)); }

private:
  std::variant<T, LoadError> state_;
};

// Success or an error, for steps that produce nothing.
template <> class [[nodiscard]] Expected<void> {
public:
  Expected() = default;
  Expected(LoadError error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const LoadError &error() const { return error_; }
  LoadError takeError() { return std::move(error_); }

private:
  LoadError error_;
  bool failed_ = false;
};

} // namespace ebpfc::runtime
