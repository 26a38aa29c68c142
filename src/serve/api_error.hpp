// Private to serve/: an answer other than 200, with the one-line message the
// JSON body carries ({"message": ...}).
#pragma once

#include <stdexcept>
#include <string>

namespace h5dig::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

// The body every refused name gets, whatever the reason (docs/serve-api.md, "Safety").
inline ApiError file_not_found() { return ApiError(404, "File not found!"); }

}  // namespace h5dig::serve
