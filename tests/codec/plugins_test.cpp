// LZ4, bitshuffle, zstd and blosc: kernels, round trips, and interop with the
// Debian HDF5 plugins through h5py (both directions). zstd has no Debian
// plugin: its frames are checked against the `zstd` command-line tool.
#include <gtest/gtest.h>

#include <cstring>

#include "codec/codec.hpp"
#include "codec/simd.hpp"
#include "codec/codec_test_support.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "support/fixtures.hpp"

namespace h5dig::codec {
namespace {

using testing::Bytes;
using testing::RoundTripCase;

using testing::interop_dataset;
using testing::spec;
using testing::view;

// Bit k of byte j of element e goes to row 8j+k, bit e%8 of byte e/8.
Bytes naive_bit_transpose(const Bytes& in, std::size_t n, std::size_t es) {
  Bytes out(n * es, std::byte{0});
  for (std::size_t e = 0; e < n; ++e)
    for (std::size_t j = 0; j < es; ++j)
      for (std::size_t k = 0; k < 8; ++k) {
        unsigned bit = (std::to_integer<unsigned>(in[e * es + j]) >> k) & 1u;
        std::size_t row = 8 * j + k;
        out[row * (n / 8) + e / 8] |= std::byte(bit << (e % 8));
      }
  return out;
}

TEST(CodecBitshuffle, TransposeMatchesDefinition) {
  for (int isa : {0, 1, 2}) {
  detail::simd::force_isa_for_testing(isa);
  SCOPED_TRACE(detail::simd::shuffle_isa());
  for (std::size_t es : {1, 2, 3, 4, 8, 16}) {
    for (std::size_t n : {8, 16, 24, 128, 136, 320, 1024, 8 * 1000}) {
      Bytes in = testing::random_bytes(n * es, static_cast<unsigned>(n + es));
      Bytes out(n * es), back(n * es), tmp(n * es);
      detail::bit_transpose(in.data(), out.data(), n, es, tmp.data());
      ASSERT_EQ(out, naive_bit_transpose(in, n, es)) << "es=" << es << " n=" << n;
      detail::bit_untranspose(out.data(), back.data(), n, es, tmp.data());
      ASSERT_EQ(back, in) << "es=" << es << " n=" << n;
    }
  }
  }
  detail::simd::force_isa_for_testing(-1);
}

TEST(CodecBitshuffle, DefaultBlockSizeIsThePlugins) {
  EXPECT_EQ(detail::bitshuffle_default_block(1), 8192u);
  EXPECT_EQ(detail::bitshuffle_default_block(2), 4096u);
  EXPECT_EQ(detail::bitshuffle_default_block(4), 2048u);
  EXPECT_EQ(detail::bitshuffle_default_block(3), 2728u);
  EXPECT_EQ(detail::bitshuffle_default_block(128), 128u);
}

std::vector<RoundTripCase> plugin_cases() {
  return testing::cases_per_element_size([](testing::CaseList& cases, std::size_t es) {
    cases.add_per_value("lz4_block", kLz4Id, {0u, 1000u, 4096u}, kFlagOptional);
    cases.add_per_value("zstd", kZstdId, {1u, 3u, 9u}, kFlagOptional);
    for (unsigned block : {0u, 8u, 128u, 1024u}) {
      auto b = std::to_string(block);
      cases.add("bitshuffle_block" + b, {spec(kBitshuffleId, {0, 3, unsigned(es), block, 0})});
      cases.add("bslz4_block" + b, {spec(kBitshuffleId, {0, 3, unsigned(es), block, 2})});
      cases.add("bszstd_block" + b, {spec(kBitshuffleId, {0, 4, unsigned(es), block, 3, 3})});
    }
    for (unsigned shuffle : {0u, 1u, 2u})
      for (unsigned comp : {0u, 1u, 5u})
        cases.add("blosc_shuf" + std::to_string(shuffle) + "_comp" + std::to_string(comp),
                  {spec(kBloscId, {2, 2, unsigned(es), 0, 5, shuffle, comp}, kFlagOptional)});
    cases.add("bslz4_fletcher", {spec(kBitshuffleId, {0, 3, unsigned(es), 0, 2}, kFlagOptional), spec(kFletcher32Id)});
  });
}

class CodecPluginRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(CodecPluginRoundTrip, InputShapes) {
  testing::expect_round_trips(GetParam(), testing::round_trip_inputs(GetParam().element_size));
}

INSTANTIATE_TEST_SUITE_P(CodecFilters, CodecPluginRoundTrip, ::testing::ValuesIn(plugin_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CodecLz4, IncompressibleBlocksAreStoredRaw) {
  Pipeline p({spec(kLz4Id, {1024})}, 1);
  Workspace ws;
  Bytes raw = testing::random_bytes(3000, 21);
  auto enc = p.encode(view(raw), ws);
  // 12-byte header + 3 blocks, each raw: 4 + size.
  ASSERT_EQ(enc.bytes.size(), 12u + 3 * 4 + 3000);
  EXPECT_EQ(detail::load_be64(enc.bytes.data()), 3000u);
  EXPECT_EQ(detail::load_be32(enc.bytes.data() + 8), 1024u);
  EXPECT_EQ(detail::load_be32(enc.bytes.data() + 12), 1024u);
  EXPECT_EQ(0, std::memcmp(enc.bytes.data() + 16, raw.data(), 1024));
}

TEST(CodecZstd, FramesAgreeWithTheZstdTool) {
  test::TempDir dir;
  Pipeline p({spec(kZstdId, {5})}, 2);
  Workspace ws;
  Bytes raw = testing::poisson_bytes(100000, 2, 0.5);
  auto enc = p.encode(view(raw), ws);
  test::write_file(dir / "ours.zst", std::string(reinterpret_cast<const char*>(enc.bytes.data()), enc.bytes.size()));
  auto r = test::run({"zstd", "-d", "-q", "-f", (dir / "ours.zst").string(), "-o", (dir / "ours.raw").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string back = test::read_file(dir / "ours.raw");
  ASSERT_EQ(back.size(), raw.size());
  EXPECT_EQ(0, std::memcmp(back.data(), raw.data(), raw.size()));

  test::write_file(dir / "theirs.raw", std::string(reinterpret_cast<const char*>(raw.data()), raw.size()));
  r = test::run({"zstd", "-q", "-f", "-19", (dir / "theirs.raw").string(), "-o", (dir / "theirs.zst").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string theirs = test::read_file(dir / "theirs.zst");
  Bytes out(raw.size());
  p.decode({reinterpret_cast<const std::byte*>(theirs.data()), theirs.size()}, out, 0, ws);
  EXPECT_EQ(out, raw);
}

// ---- interop with the Debian plugins through h5py ---------------------------------

nlohmann::json plugin_interop_config() {
  nlohmann::json cfg = nlohmann::json::array();
  cfg.push_back(interop_dataset("lz4_u16", "<u2", {4, 64, 64}, {1, 64, 64}, R"([{"id":32004,"opts":[]}])"));
  cfg.push_back(interop_dataset("lz4_blocks_u16", "<u2", {2, 100, 50}, {1, 100, 50},
                                R"([{"id":32004,"opts":[1000]}])"));
  cfg.push_back(interop_dataset("lz4_noise_u1", "<u1", {2, 5000}, {1, 5000}, R"([{"id":32004,"opts":[2048]}])"));
  cfg.push_back(interop_dataset("bslz4_u16", "<u2", {4, 64, 64}, {1, 64, 64}, R"([{"id":32008,"opts":[0,2]}])"));
  cfg.push_back(interop_dataset("bslz4_odd_u4", "<u4", {3, 1001}, {1, 1001}, R"([{"id":32008,"opts":[0,2]}])"));
  cfg.push_back(interop_dataset("bslz4_block64_i8", "<i8", {2, 301}, {1, 301}, R"([{"id":32008,"opts":[64,2]}])"));
  cfg.push_back(interop_dataset("bs_plain_u2", "<u2", {2, 1003}, {1, 1003}, R"([{"id":32008,"opts":[0,0]}])"));
  cfg.push_back(interop_dataset("bslz4_text_u1", "<u1", {2, 20005}, {1, 20005}, R"([{"id":32008,"opts":[0,2]}])"));
  cfg.push_back(interop_dataset("blosc_lz4_u16", "<u2", {2, 64, 64}, {1, 64, 64},
                                R"([{"id":32001,"opts":[0,0,0,0,5,1,1]}])"));
  cfg.push_back(interop_dataset("blosc_blosclz_bit_u4", "<u4", {2, 3000}, {1, 3000},
                                R"([{"id":32001,"opts":[0,0,0,0,9,2,0]}])"));
  cfg.push_back(interop_dataset("blosc_zstd_noise_u8", "<u8", {2, 500}, {1, 500},
                                R"([{"id":32001,"opts":[0,0,0,0,3,0,5]}])"));
  cfg.push_back(interop_dataset("blosc_zlib_text_u1", "<u1", {2, 9000}, {1, 9000},
                                R"([{"id":32001,"opts":[0,0,0,0,5,1,4]}])"));
  return cfg;
}

TEST(CodecPluginInterop, PluginChunksDecodeBitExactly) {
  testing::expect_h5py_chunks_decode(plugin_interop_config(), 60);
}

// These datasets are chunked along the first axis only: chunk k is a slab.
void cut_first_axis_slabs(const nlohmann::json& ds, const std::string& data, std::vector<Bytes>& chunks) {
  std::size_t rows = ds["shape"][0].get<std::size_t>();
  std::size_t slab = data.size() / rows;
  ASSERT_EQ(ds["chunks"][0].get<int>(), 1);
  for (std::size_t k = 0; k < rows; ++k) {
    Bytes raw(slab);
    std::memcpy(raw.data(), data.data() + k * slab, slab);
    chunks.push_back(std::move(raw));
  }
}

TEST(CodecPluginInterop, PluginsReadChunksWeEncode) {
  testing::expect_h5py_reads_our_chunks(plugin_interop_config(), 80, cut_first_axis_slabs);
}

}  // namespace
}  // namespace h5dig::codec
