// h5dig::Error — the one exception type of the project.
//
// Every failure carries a category that `main` maps to the process exit code:
// usage -> 2, verify -> 3, everything else -> 1 (see docs/cli.md, "Exit codes").
// Messages are one line and name what failed and where (file, object, chunk,
// filter); layers add context as the error travels up with `Error::with_context`.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace h5dig {

enum class ErrorKind {
  usage,        // bad arguments or options; exit 2
  io,           // the operating system or HDF5 refused a read/write/open; exit 1
  corrupt,      // the data or file structure is damaged; exit 1
  unsupported,  // valid data h5dig cannot handle (e.g. szip); exit 1
  verify,       // a comparison found differences; exit 3
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message)
      : std::runtime_error(std::move(message)), kind_(kind) {}

  ErrorKind kind() const noexcept { return kind_; }

  // Returns a copy of this error whose message is prefixed by `context: `.
  Error with_context(std::string_view context) const {
    return Error(kind_, std::string(context) + ": " + what());
  }

 private:
  ErrorKind kind_;
};

// Process exit code for an error category (the command-line contract).
constexpr int exit_code(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::usage: return 2;
    case ErrorKind::verify: return 3;
    default: return 1;
  }
}

[[noreturn]] inline void throw_usage(std::string message) { throw Error(ErrorKind::usage, std::move(message)); }
[[noreturn]] inline void throw_io(std::string message) { throw Error(ErrorKind::io, std::move(message)); }
[[noreturn]] inline void throw_corrupt(std::string message) { throw Error(ErrorKind::corrupt, std::move(message)); }
[[noreturn]] inline void throw_unsupported(std::string message) { throw Error(ErrorKind::unsupported, std::move(message)); }

}  // namespace h5dig
