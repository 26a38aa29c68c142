// Private to inspect/: the --json form of `h5dig ls` (schema: docs/ls-json.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "h5dig/inspect/ls.hpp"

namespace h5dig::inspect {

void list_json(const std::vector<std::string>& paths, const LsOptions& options, std::ostream& out);

}  // namespace h5dig::inspect
