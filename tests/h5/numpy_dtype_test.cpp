// h5/numpy_dtype.hpp without HDF5: the dtypes of types NumPy has no layout for,
// and the value fixes that turn stored bytes into what h5py reads (null-terminated
// and space-padded strings, partial-precision integers, inside compounds and arrays).
// tests/python/test_foreign.py compares the same against h5py itself.
#include "h5dig/h5/numpy_dtype.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace h5dig::h5 {
namespace {

using Kind = TypeDesc::Kind;

TypeDesc integer(std::size_t size, bool is_signed, std::size_t precision, std::size_t offset,
                 ByteOrder order = ByteOrder::little) {
  TypeDesc t;
  t.kind = Kind::integer;
  t.size = size;
  t.sign = is_signed ? Sign::twos_complement : Sign::none;
  t.precision = precision;
  t.offset = offset;
  t.order = order;
  return t;
}

TypeDesc fixed_string(std::size_t size, int strpad) {
  TypeDesc t;
  t.kind = Kind::string;
  t.size = size;
  t.strpad = strpad;  // 0 nullterm, 1 nullpad, 2 spacepad
  return t;
}

TypeDesc ieee_float(std::size_t size) {
  TypeDesc t;
  t.kind = Kind::floating;
  t.size = size;
  t.order = ByteOrder::little;
  t.precision = 8 * size;
  if (size == 4) t.spos = 31, t.epos = 23, t.esize = 8, t.mpos = 0, t.msize = 23, t.ebias = 127;
  if (size == 8) t.spos = 63, t.epos = 52, t.esize = 11, t.mpos = 0, t.msize = 52, t.ebias = 1023;
  return t;
}

std::vector<std::byte> bytes(const std::string& s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string text(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

TEST(NumpyDtype, TypesNumPyHasNoLayoutForAreRawBytes) {
  EXPECT_EQ(numpy_dtype(integer(2, true, 16, 0)).descr, "<i2");
  EXPECT_EQ(numpy_dtype(integer(16, false, 128, 0)).descr, "|V16");
  EXPECT_FALSE(numpy_dtype(integer(16, false, 128, 0)).exact);
  EXPECT_EQ(numpy_dtype(integer(3, false, 24, 0)).descr, "|V3");
  EXPECT_EQ(numpy_dtype(ieee_float(4)).descr, "<f4");
  EXPECT_EQ(numpy_dtype(ieee_float(8)).descr, "<f8");
  TypeDesc odd = ieee_float(4);
  odd.msize = 22;  // not IEEE's single layout: never read as '<f4'
  odd.esize = 9;
  EXPECT_EQ(numpy_dtype(odd).descr, "|V4");
  EXPECT_FALSE(numpy_dtype(odd).exact);
}

TEST(NumpyDtype, FullIntegersAndNullPaddedStringsNeedNoFix) {
  EXPECT_TRUE(value_fixes(integer(4, true, 32, 0)).empty());
  EXPECT_TRUE(value_fixes(fixed_string(8, 1)).empty());
  EXPECT_TRUE(value_fixes(ieee_float(8)).empty());
}

TEST(NumpyDtype, StringsReadAsH5pyShowsThem) {
  auto run = [](int strpad, const std::string& stored) {
    TypeDesc t = fixed_string(6, strpad);
    std::vector<std::byte> b = bytes(stored);
    apply_value_fixes(value_fixes(t), t.size, b);
    return text(b);
  };
  using namespace std::string_literals;
  EXPECT_EQ(run(0, "ab\0xyzabcdef"s), "ab\0\0\0\0abcdef"s);       // nullterm: NULs after the first NUL
  EXPECT_EQ(run(2, "a b   \0 x  y"s), "a b\0\0\0\0 x  y"s);       // spacepad: trailing spaces only
  EXPECT_EQ(run(1, "ab\0xyz      "s), "ab\0xyz      "s);          // nullpad: as stored
}

TEST(NumpyDtype, PartialPrecisionIntegersAreShiftedAndSignExtended) {
  // Signed 12 bits in 16, little-endian: 0x0ffb is -5.
  TypeDesc i12 = integer(2, true, 12, 0);
  std::vector<std::byte> b = {std::byte{0xfb}, std::byte{0x0f}, std::byte{0x64}, std::byte{0x00}};
  apply_value_fixes(value_fixes(i12), 2, b);
  std::int16_t v[2];
  std::memcpy(v, b.data(), 4);
  EXPECT_EQ(v[0], -5);
  EXPECT_EQ(v[1], 100);
  // Unsigned 12 bits at offset 4, big-endian, with junk in the padding bits.
  TypeDesc u12 = integer(2, false, 12, 4, ByteOrder::big);
  std::vector<std::byte> c = {std::byte{0xff}, std::byte{0xfa}};  // 0xfffa >> 4 = 0xfff
  apply_value_fixes(value_fixes(u12), 2, c);
  EXPECT_EQ(c[0], std::byte{0x0f});
  EXPECT_EQ(c[1], std::byte{0xff});
}

TEST(NumpyDtype, FixesReachIntoCompoundsAndArrays) {
  TypeDesc arr;
  arr.kind = Kind::array;
  arr.dims = {2};
  arr.super = {fixed_string(3, 0)};
  arr.size = 6;
  TypeDesc c;
  c.kind = Kind::compound;
  c.size = 10;
  c.members = {{"n", 0, integer(2, true, 12, 0)}, {"s", 2, fixed_string(2, 2)}, {"a", 4, arr}};
  const std::vector<ValueFix> fixes = value_fixes(c);
  ASSERT_EQ(fixes.size(), 3u);
  EXPECT_EQ(fixes[2].count, 2u);  // the array of strings is one entry
  using namespace std::string_literals;
  std::vector<std::byte> e = bytes("\xff\x0f" "x " "a\0bc\0d"s + "\x01\x00" "  " "abc\0zz"s);
  apply_value_fixes(fixes, c.size, e);
  EXPECT_EQ(text(e), "\xff\xff" "x\0" "a\0\0c\0\0"s + "\x01\x00" "\0\0" "abc\0\0\0"s);
}

}  // namespace
}  // namespace h5dig::h5
