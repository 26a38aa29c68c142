#pragma once
#include <string_view>
namespace h5dig {
inline constexpr std::string_view kVersion = "0.1.0";
}
