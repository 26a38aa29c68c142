// The filters of other writers: LZF (h5py's own, 32000), bzip2 (307: PyTables
// and the HDF Group plugin), LZO (305: PyTables) and szip (4) in the generic
// round trips, and byte for byte against the writers' own filters through
// h5py (HDF5's szip, h5py's LZF, Debian's bzip2 plugin, PyTables' filters
// registered in-process), both ways.
#include <gtest/gtest.h>
#include <lzf.h>

#include <cstring>
#include <functional>
#include <ostream>

#include "codec/codec.hpp"
#include "codec/codec_test_support.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"

namespace h5dig::codec {
namespace {

using testing::Bytes;
using testing::interop_dataset;
using testing::RoundTripCase;
using testing::spec;
using testing::view;

std::vector<RoundTripCase> writers_cases() {
  return testing::cases_per_element_size([](testing::CaseList& cases, std::size_t es) {
    cases.add("lzf", {spec(kLzfId, {4, 261, 0})});
    cases.add("lzf_opt", {spec(kLzfId, {4, 261, 0}, kFlagOptional)});
    cases.add_per_value("bzip2_", kBzip2Id, {1u, 9u}, 0);
    cases.add("lzo", {spec(kLzoId, {1, 11, 4})});
    cases.add("lzo_opt", {spec(kLzoId, {1, 11, 4}, kFlagOptional)});
    const unsigned bits = static_cast<unsigned>(8 * es);
    cases.add("szip_nn", {spec(kSzipId, {169, 8, bits, 100})});
    cases.add("szip_ec_opt", {spec(kSzipId, {141, 32, bits, 1024}, kFlagOptional)});
    if (es > 1) cases.add("shuffle_lzf", {spec(kShuffleId, {unsigned(es)}), spec(kLzfId, {4, 261, 0}, kFlagOptional)});
    cases.add("lzo_fletcher", {spec(kLzoId, {1, 11, 4}, kFlagOptional), spec(kFletcher32Id)});
  });
}

class WritersRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(WritersRoundTrip, InputShapes) {
  testing::expect_round_trips(GetParam(), testing::round_trip_inputs(GetParam().element_size));
}

INSTANTIATE_TEST_SUITE_P(CodecFilters, WritersRoundTrip, ::testing::ValuesIn(writers_cases()),
                         [](const auto& info) { return info.param.name; });

// h5py's filter gives liblzf an output buffer of the chunk's size and gives
// up (HDF5 stores the chunk raw, mask bit set) when the stream does not fit.
TEST(CodecLzf, OptionalFilterIsSkippedExactlyWhereH5pysFails) {
  Workspace ws;
  Pipeline optional({spec(kLzfId, {4, 261, 0}, kFlagOptional)}, 1);
  Pipeline mandatory({spec(kLzfId, {4, 261, 0})}, 1);
  for (std::size_t n : {1u, 7u, 64u, 4096u, 100000u}) {
    for (const Bytes& raw : {testing::random_bytes(n, 3), testing::text_bytes(n)}) {
      std::vector<unsigned char> probe(n);
      const bool h5py_compresses = lzf_compress(raw.data(), unsigned(n), probe.data(), unsigned(n)) != 0;
      auto enc = optional.encode(view(raw), ws);
      EXPECT_EQ(enc.filter_mask, h5py_compresses ? 0u : 1u) << n;
      // A mandatory LZF never gives up: the stream may be larger than the data.
      auto forced = mandatory.encode(view(raw), ws);
      EXPECT_EQ(forced.filter_mask, 0u);
      Bytes back(n);
      mandatory.decode(forced.bytes, back, 0, ws);
      EXPECT_EQ(back, raw);
    }
  }
}

// A bzip2 stream says its own block size: cd_values matter only to encode.
TEST(CodecBzip2, BlockSizeOutsideOneToNineFailsOnlyToEncode) {
  Workspace ws;
  Pipeline good({spec(kBzip2Id, {9})}, 1);
  Bytes raw = testing::text_bytes(5000);
  auto enc = good.encode(view(raw), ws);
  Bytes stored(enc.bytes.begin(), enc.bytes.end());
  Pipeline odd({spec(kBzip2Id, {0, 11, 4})}, 1);  // as no writer records, but the stream says its own
  Bytes back(raw.size());
  odd.decode(view(stored), back, 0, ws);
  EXPECT_EQ(back, raw);
  EXPECT_THROW(odd.encode(view(raw), ws), Error);
}

// ---- interop with the writers' filters through h5py ----------------------------

nlohmann::json szip_interop_config() {
  nlohmann::json cfg = nlohmann::json::array();
  // h5py's default ('nn', 8); scanlines of 100 pixels: 12.5 blocks, padded.
  cfg.push_back(interop_dataset("szip_u16", "<u2", {4, 10, 100}, {1, 10, 100}, R"([{"id":4}])"));
  cfg.push_back(interop_dataset("szip_ec16_i4", "<i4", {3, 64, 64}, {1, 64, 64}, R"([{"id":4,"opts":["ec",16]}])"));
  cfg.push_back(interop_dataset("szip_be_u2", ">u2", {2, 3000}, {1, 3000}, R"([{"id":4,"opts":["nn",32]}])"));
  cfg.push_back(interop_dataset("szip_be_i4", ">i4", {2, 50, 30}, {1, 50, 30}, R"([{"id":4,"opts":["ec",8]}])"));
  cfg.push_back(interop_dataset("szip_f4", "<f4", {2, 777}, {1, 777}, R"([{"id":4,"opts":["nn",8]}])"));
  // 64-bit pixels, scanline capped at 128 blocks (1024 of 5000 pixels).
  cfg.push_back(interop_dataset("szip_f8", "<f8", {2, 5000}, {1, 5000}, R"([{"id":4}])"));
  cfg.push_back(interop_dataset("szip_u8", "<u8", {2, 300}, {1, 300}, R"([{"id":4,"opts":["ec",32]}])"));
  cfg.push_back(interop_dataset("szip_u1", "<u1", {3, 4000}, {1, 4000}, R"([{"id":4,"opts":["nn",16]}])"));
  // Last dimension shorter than a block: the scanline is the whole chunk.
  cfg.push_back(interop_dataset("szip_narrow_u2", "<u2", {2, 40, 3}, {1, 40, 3}, R"([{"id":4,"opts":["nn",8]}])"));
  cfg.push_back(interop_dataset("szip_ppb2_u2", "<u2", {2, 501}, {1, 501}, R"([{"id":4,"opts":["nn",2]}])"));
  cfg.push_back(interop_dataset("szip_text_u1", "<u1", {2, 9000}, {1, 9000}, R"([{"id":4,"opts":["ec",32]}])"));
  // Incompressible: HDF5 stores the chunks raw, mask bit set.
  cfg.push_back(interop_dataset("szip_noise_u4", "<u4", {2, 1000}, {1, 1000}, R"([{"id":4}])"));
  cfg.push_back(interop_dataset("shuf_szip_u2", "<u2", {2, 64, 64}, {1, 64, 64}, R"([{"id":2},{"id":4}])"));
  return cfg;
}

nlohmann::json lzf_interop_config() {
  nlohmann::json cfg = nlohmann::json::array();
  cfg.push_back(interop_dataset("lzf_u16", "<u2", {4, 64, 64}, {1, 64, 64}, R"([{"id":32000}])"));
  cfg.push_back(interop_dataset("lzf_text_u1", "<u1", {3, 70000}, {1, 70000}, R"([{"id":32000}])"));
  cfg.push_back(interop_dataset("lzf_f8", "<f8", {2, 33, 17}, {1, 33, 17}, R"([{"id":32000}])"));
  cfg.push_back(interop_dataset("shuf_lzf_i4", "<i4", {2, 40, 50}, {1, 40, 50}, R"([{"id":2},{"id":32000}])"));
  cfg.push_back(interop_dataset("lzf_noise_u8", "<u8", {2, 500}, {1, 500}, R"([{"id":32000}])"));  // stored raw
  cfg.push_back(interop_dataset("lzf_fl_u2", "<u2", {2, 1000}, {1, 1000}, R"([{"id":32000},{"id":3}])"));
  return cfg;
}

// bzip2 by the HDF Group's plugin (Debian hdf5-filter-plugin): h5py's
// compression=307 with the user's block size, or none (the plugin's 9).
nlohmann::json bzip2_plugin_config() {
  nlohmann::json cfg = nlohmann::json::array();
  cfg.push_back(interop_dataset("bz_u16", "<u2", {3, 64, 64}, {1, 64, 64}, R"([{"id":307,"opts":[]}])"));
  cfg.push_back(interop_dataset("bz1_text_u1", "<u1", {2, 250000}, {1, 250000}, R"([{"id":307,"opts":[1]}])"));
  cfg.push_back(interop_dataset("shuf_bz5_i8", "<i8", {2, 30, 40}, {1, 30, 40}, R"([{"id":2},{"id":307,"opts":[5]}])"));
  return cfg;
}

// PyTables' own filters, with the cd_values PyTables records for a CArray
// {complevel, object version 1.1, CArray} or an EArray (type 2).
nlohmann::json pytables_config() {
  nlohmann::json cfg = nlohmann::json::array();
  cfg.push_back(interop_dataset("lzo_u16", "<u2", {3, 64, 64}, {1, 64, 64}, R"([{"id":305,"opts":[1,11,4]}])", true));
  cfg.push_back(
      interop_dataset("shuf_lzo_f8", "<f8", {2, 50, 40}, {1, 50, 40}, R"([{"id":2},{"id":305,"opts":[1,11,2]}])", true));
  cfg.push_back(interop_dataset("lzo_text_u1", "<u1", {2, 90000}, {1, 90000}, R"([{"id":305,"opts":[9,11,4]}])", true));
  cfg.push_back(interop_dataset("lzo_noise_u4", "<u4", {2, 700}, {1, 700}, R"([{"id":305,"opts":[1,11,4]}])", true));
  cfg.push_back(interop_dataset("bz_pt_u16", "<u2", {2, 64, 64}, {1, 64, 64}, R"([{"id":307,"opts":[5,11,4]}])", true));
  cfg.push_back(
      interop_dataset("shuf_bz_pt_i4", "<i4", {2, 30, 30}, {1, 30, 30}, R"([{"id":2},{"id":307,"opts":[9,11,2]}])", true));
  return cfg;
}

// One writer's datasets: decoded and re-encoded byte for byte (masks
// included), and read back through the writer's filter from our chunks.
struct WriterConfig {
  std::string name;
  std::function<nlohmann::json()> config;
  unsigned seed;
};
void PrintTo(const WriterConfig& w, std::ostream* os) { *os << w.name; }

class WritersInterop : public ::testing::TestWithParam<WriterConfig> {};

TEST_P(WritersInterop, ChunksDecodeAndEncodeBitExactly) {
  testing::expect_h5py_chunks_decode_and_encode_identically(GetParam().config(), GetParam().seed);
}

TEST_P(WritersInterop, WritersFilterReadsChunksWeEncode) {
  testing::expect_h5py_reads_our_chunks(GetParam().config(), GetParam().seed + 10, testing::cut_chunks_in_c_order);
}

INSTANTIATE_TEST_SUITE_P(Writers, WritersInterop,
                         ::testing::Values(WriterConfig{"hdf5_szip", szip_interop_config, 120},
                                           WriterConfig{"h5py_lzf", lzf_interop_config, 160},
                                           WriterConfig{"bzip2_plugin", bzip2_plugin_config, 180},
                                           WriterConfig{"pytables", pytables_config, 200}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace h5dig::codec
