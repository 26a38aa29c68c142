#include "h5dig/h5/serial.hpp"

#include "h5/hdf5.hpp"

namespace h5dig::h5 {

std::unique_lock<std::recursive_mutex> lock_hdf5() {
  static std::recursive_mutex door;
  return std::unique_lock<std::recursive_mutex>(door);
}

}  // namespace h5dig::h5
