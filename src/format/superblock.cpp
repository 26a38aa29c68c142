#include "h5dig/format/superblock.hpp"

#include <array>
#include <cstring>
#include <vector>

#include "decode.hpp"

namespace h5dig::format {

using detail::Cursor;

std::uint64_t Superblock::absolute(std::uint64_t rel) const {
  if (rel > ~std::uint64_t{0} - base_address) throw_corrupt(fmt::format("address {} overflows", rel));
  return base_address + rel;
}

namespace {
constexpr std::array<unsigned char, 8> kSignature = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
}

Superblock read_superblock(const FileReader& file) {
  std::uint64_t where = ~std::uint64_t{0};
  std::array<std::byte, 8> sig{};
  for (std::uint64_t at = 0; at + 8 <= file.size(); at = at == 0 ? 512 : at * 2) {
    file.read(at, sig, "superblock signature");
    if (std::memcmp(sig.data(), kSignature.data(), 8) == 0) {
      where = at;
      break;
    }
  }
  if (where == ~std::uint64_t{0}) throw_corrupt(fmt::format("{}: not an HDF5 file (no superblock signature)", file.name()));

  // Largest superblock we decode: v0/v1 with 8-byte fields and the root symbol
  // table entry is under 128 bytes; read what the file has, up to 256.
  std::vector<std::byte> buf(static_cast<std::size_t>(std::min<std::uint64_t>(256, file.size() - where)));
  file.read(where, buf, "superblock");
  Cursor c(buf, "superblock", where, file);
  c.skip(8);
  Superblock sb;
  sb.version = c.u8();
  sb.base_address = where;
  if (sb.version <= 1) {
    c.skip(1 + 1 + 1 + 1);  // free-space, root symtab, reserved, shared header versions
    sb.sizeof_addr = c.u8();
    sb.sizeof_size = c.u8();
    c.skip(1);      // reserved
    c.skip(2 + 2);  // group leaf/internal node K
    c.skip(4);      // consistency flags
    if (sb.version == 1) c.skip(2 + 2);  // indexed storage K + reserved
  } else if (sb.version <= 3) {
    sb.sizeof_addr = c.u8();
    sb.sizeof_size = c.u8();
  } else {
    c.fail(fmt::format("unsupported superblock version {}", sb.version));
  }
  auto ok_width = [](unsigned w) { return w == 2 || w == 4 || w == 8; };
  if (!ok_width(sb.sizeof_addr)) c.fail(fmt::format("size of offsets {} is not 2, 4 or 8", sb.sizeof_addr));
  if (!ok_width(sb.sizeof_size)) c.fail(fmt::format("size of lengths {} is not 2, 4 or 8", sb.sizeof_size));
  if (sb.version <= 1) {
    c.addr(sb.sizeof_addr);  // base address (HDF5 uses the signature's position instead)
    c.addr(sb.sizeof_addr);  // free-space info
    c.addr(sb.sizeof_addr);  // end of file
    c.addr(sb.sizeof_addr);  // driver info
    // Root group symbol table entry: link name offset, object header address.
    c.uint(sb.sizeof_size);
    sb.root_header_address = c.addr(sb.sizeof_addr);
  } else {
    c.skip(1);               // consistency flags
    c.addr(sb.sizeof_addr);  // base address
    c.addr(sb.sizeof_addr);  // superblock extension
    c.addr(sb.sizeof_addr);  // end of file
    sb.root_header_address = c.addr(sb.sizeof_addr);
    c.verify_checksum();
  }
  return sb;
}

}  // namespace h5dig::format
