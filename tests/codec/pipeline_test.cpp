// Codec pipeline: round trips over element size, level and input shape;
// interop with chunks written and read by h5py through HDF5's own filters.
#include "h5dig/codec/pipeline.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "codec/codec.hpp"
#include "codec/simd.hpp"
#include "codec/codec_test_support.hpp"
#include "h5dig/error.hpp"

namespace h5dig::codec {
namespace {

using testing::Bytes;
using testing::RoundTripCase;

using testing::interop_dataset;
using testing::round_trip;
using testing::spec;
using testing::view;

// ---- kernels ----------------------------------------------------------------

// Runs `body` once per kernel family the CPU has (scalar, SSE2, AVX2).
template <class F>
void for_each_isa(F&& body) {
  for (int isa : {0, 1, 2}) {
    detail::simd::force_isa_for_testing(isa);
    SCOPED_TRACE(detail::simd::shuffle_isa());
    body();
  }
  detail::simd::force_isa_for_testing(-1);
}

TEST(CodecShuffle, MatchesDefinitionForEveryElementSize) {
  for_each_isa([] {
  for (std::size_t es : {1, 2, 3, 4, 5, 8, 16}) {
    for (std::size_t nbytes : {0, 1, 7, 64, 1000, 4099, 8 * 97 + 3}) {
      Bytes in = testing::random_bytes(nbytes, static_cast<unsigned>(es * 7 + nbytes));
      Bytes out(nbytes), back(nbytes);
      detail::shuffle_bytes(in.data(), out.data(), nbytes, es);
      std::size_t n = es > 1 ? nbytes / es : 0;
      if (n > 1) {
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < es; ++j)
            ASSERT_EQ(out[j * n + i], in[i * es + j]) << "es=" << es << " nbytes=" << nbytes;
        for (std::size_t t = n * es; t < nbytes; ++t) ASSERT_EQ(out[t], in[t]);
      } else {
        ASSERT_EQ(out, in);
      }
      detail::unshuffle_bytes(out.data(), back.data(), nbytes, es);
      ASSERT_EQ(back, in) << "es=" << es << " nbytes=" << nbytes;
    }
  }
  });
}

TEST(CodecFletcher32, KnownValues) {
  // H5_checksum_fletcher32 of "abcde" (odd length exercises the last half word).
  const char* s = "abcde";
  std::uint32_t v = detail::fletcher32(reinterpret_cast<const std::byte*>(s), 5);
  // Computed by hand: words 0x6162, 0x6364, 0x6500.
  std::uint32_t s1 = 0x6162, s2 = 0x6162;
  s1 += 0x6364; s2 += s1;
  s1 += 0x6500; s2 += s1;
  s1 = (s1 & 0xffff) + (s1 >> 16); s2 = (s2 & 0xffff) + (s2 >> 16);
  s1 = (s1 & 0xffff) + (s1 >> 16); s2 = (s2 & 0xffff) + (s2 >> 16);
  EXPECT_EQ(v, (s2 << 16) | s1);
  EXPECT_EQ(detail::fletcher32(nullptr, 0), 0u);
}

// ---- round trips --------------------------------------------------------------

std::vector<RoundTripCase> round_trip_cases() {
  return testing::cases_per_element_size([](testing::CaseList& cases, std::size_t es) {
    cases.add_per_value("deflate", kDeflateId, {0u, 1u, 4u, 9u, 12u}, kFlagOptional);
    cases.add("shuffle_deflate_fletcher", {spec(kShuffleId, {unsigned(es)}, kFlagOptional),
                                           spec(kDeflateId, {4}, kFlagOptional), spec(kFletcher32Id)});
    cases.add("fletcher_first", {spec(kFletcher32Id), spec(kShuffleId, {}, kFlagOptional), spec(kDeflateId, {6})});
    cases.add("shuffle_only", {spec(kShuffleId, {unsigned(es)})});
    cases.add("mandatory_deflate", {spec(kDeflateId, {5})});
    // A compressor feeding another: the inner decoder's size is not known in
    // advance and is bounded by the nominal size instead.
    cases.add("lz4_then_deflate", {spec(kLz4Id, {512}), spec(kDeflateId, {1}), spec(kFletcher32Id)});
  });
}

class CodecRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(CodecRoundTrip, InputShapes) {
  const auto& c = GetParam();
  const std::size_t es = c.element_size;
  testing::expect_round_trips(c, {
      Bytes{},                                      // empty
      testing::random_bytes(es, 5),                 // one element
      testing::random_bytes(es * 3 + (es > 1), 6),  // tiny, odd length
      testing::poisson_bytes(65536, es, 0.5),       // detector-like, multi-block
      testing::text_bytes(100001),                  // text, odd length
      testing::random_bytes(70001, 9),              // incompressible
  });
}

INSTANTIATE_TEST_SUITE_P(CodecFilters, CodecRoundTrip, ::testing::ValuesIn(round_trip_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CodecPipeline, OptionalCompressorThatDoesNotShrinkIsSkipped) {
  Pipeline p({spec(kShuffleId, {4}, kFlagOptional), spec(kDeflateId, {4}, kFlagOptional), spec(kFletcher32Id)}, 4);
  Workspace ws;
  Bytes raw = testing::random_bytes(4096, 11);
  auto enc = p.encode(view(raw), ws);
  EXPECT_EQ(enc.filter_mask, 0b010u);  // deflate skipped, shuffle and fletcher32 applied
  EXPECT_EQ(enc.bytes.size(), raw.size() + 4);
  Bytes stored(enc.bytes.begin(), enc.bytes.end());
  Bytes back(raw.size());
  p.decode(view(stored), back, enc.filter_mask, ws);
  EXPECT_EQ(back, raw);
}

// `gzip=N:zlib`: deflate encodes with zlib's compress2, the bytes HDF5's own
// filter writes, after the filters before it; decoding is the usual one.
TEST(CodecPipeline, ZlibDeflateEngineWritesCompress2Bytes) {
  const Bytes raw = testing::poisson_bytes(1 << 15, 2, 0.5);
  Bytes shuffled(raw.size());
  detail::shuffle_bytes(raw.data(), shuffled.data(), raw.size(), 2);
  for (unsigned level : {1u, 4u, 9u}) {
    Pipeline p({spec(kShuffleId, {2}, kFlagOptional), spec(kDeflateId, {level}, kFlagOptional)}, 2,
               DeflateEngine::zlib);
    Workspace ws;
    auto enc = p.encode(view(raw), ws);
    uLongf n = compressBound(static_cast<uLong>(shuffled.size()));
    Bytes expected(n);
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(expected.data()), &n, reinterpret_cast<const Bytef*>(shuffled.data()),
                        static_cast<uLong>(shuffled.size()), static_cast<int>(level)),
              Z_OK);
    expected.resize(n);
    EXPECT_EQ(enc.filter_mask, 0u);
    EXPECT_EQ(Bytes(enc.bytes.begin(), enc.bytes.end()), expected) << "level " << level;
    Bytes stored(enc.bytes.begin(), enc.bytes.end()), back(raw.size());
    p.decode(view(stored), back, enc.filter_mask, ws);
    EXPECT_EQ(back, raw);
  }
  // zlib has no levels above 9 (libdeflate's 10-12 are libdeflate's own).
  EXPECT_THROW(Pipeline({spec(kDeflateId, {10})}, 1, DeflateEngine::zlib), Error);
  // Incompressible data: the optional deflate step is skipped, as HDF5 does.
  const Bytes noise = testing::random_bytes(4096, 5);
  Pipeline p({spec(kDeflateId, {4}, kFlagOptional)}, 1, DeflateEngine::zlib);
  Workspace ws;
  EXPECT_EQ(p.encode(view(noise), ws).filter_mask, 1u);
}

TEST(CodecPipeline, MandatoryCompressorIsNeverSkipped) {
  Pipeline p({spec(kDeflateId, {4})}, 1);
  Workspace ws;
  Bytes raw = testing::random_bytes(4096, 12);
  auto enc = p.encode(view(raw), ws);
  EXPECT_EQ(enc.filter_mask, 0u);
  EXPECT_GT(enc.bytes.size(), raw.size());
}

TEST(CodecPipeline, AllFiltersMaskedMeansRawChunk) {
  Pipeline p({spec(kShuffleId, {2}, kFlagOptional), spec(kDeflateId, {4}, kFlagOptional)}, 2);
  Workspace ws;
  Bytes raw = testing::random_bytes(100, 13);
  Bytes out(100);
  p.decode(view(raw), out, 0b11, ws);
  EXPECT_EQ(out, raw);
  Bytes short_out(99);
  EXPECT_THROW(p.decode(view(raw), short_out, 0b11, ws), Error);
}

TEST(CodecPipeline, EmptyPipeline) {
  Pipeline p({}, 4);
  EXPECT_TRUE(p.empty());
  Workspace ws;
  Bytes raw = testing::random_bytes(64, 14);
  Bytes back = round_trip(p, raw, ws);
  EXPECT_EQ(back, raw);
}

TEST(CodecPipeline, UnsupportedFiltersNameThemselves) {
  struct Case {
    unsigned id;
    std::string text;
  } cases[] = {{kNbitId, "unsupported filter nbit (id 5)"},
               {kScaleOffsetId, "unsupported filter scaleoffset (id 6)"},
               {31999, "unsupported filter unknown (id 31999)"}};
  for (const auto& c : cases) {
    FilterSpec s;
    s.id = c.id;
    try {
      Pipeline p({s}, 4);
      FAIL() << "expected an error for id " << c.id;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unsupported);
      EXPECT_EQ(std::string(e.what()), c.text);
    }
    EXPECT_FALSE(is_supported(c.id));
  }
  FilterSpec named;
  named.id = 32017;
  named.name = "myfilter";
  try {
    Pipeline p({named}, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unsupported filter myfilter (id 32017)");
  }
  EXPECT_TRUE(is_supported(kDeflateId));
  EXPECT_TRUE(is_supported(kShuffleId));
  EXPECT_TRUE(is_supported(kFletcher32Id));
  for (unsigned id : {kSzipId, kLzfId, kBzip2Id, kLzoId}) EXPECT_TRUE(is_supported(id)) << id;
}

TEST(CodecPipeline, WorkspacesAreIndependentAcrossThreads) {
  Pipeline p({spec(kShuffleId, {2}, kFlagOptional), spec(kDeflateId, {4}, kFlagOptional)}, 2);
  Bytes raw = testing::poisson_bytes(1 << 16, 2, 0.5);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      Workspace ws;
      bool good = true;
      for (int i = 0; i < 8; ++i) good = good && round_trip(p, raw, ws) == raw;
      ok += good;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
}

// ---- interop with h5py ---------------------------------------------------------

// The datasets of the HDF5-filter interop tests: gzip/shuffle/fletcher32 in the
// combinations h5py users make, several element sizes, odd chunk shapes.
nlohmann::json builtin_interop_config() {
  nlohmann::json cfg = nlohmann::json::array();
  cfg.push_back(interop_dataset("gzip_u16", "<u2", {4, 64, 64}, {1, 64, 64}, R"([{"id":1,"opts":[4]}])"));
  cfg.push_back(interop_dataset("shuf_gzip_fl_u16", "<u2", {4, 60, 50}, {2, 30, 25},
                                R"([{"id":2},{"id":1,"opts":[6]},{"id":3}])"));
  cfg.push_back(interop_dataset("shuf_gzip_i4", "<i4", {3, 33, 17}, {1, 33, 17}, R"([{"id":2},{"id":1,"opts":[1]}])"));
  cfg.push_back(interop_dataset("shuf_gzip9_f8", "<f8", {2, 40}, {1, 40}, R"([{"id":2},{"id":1,"opts":[9]}])"));
  cfg.push_back(interop_dataset("gzip_text_u1", "<u1", {3, 5000}, {1, 5000}, R"([{"id":1,"opts":[4]}])"));
  // Level 4 is h5dig's own encoder: chunks of several Huffman blocks each.
  cfg.push_back(interop_dataset("gzip_frames_u16", "<u2", {2, 256, 512}, {1, 256, 512}, R"([{"id":1,"opts":[4]}])"));
  cfg.push_back(interop_dataset("gzip_text_big_u1", "<u1", {2, 200000}, {1, 200000}, R"([{"id":1,"opts":[4]}])"));
  cfg.push_back(interop_dataset("fl_u8", "<u8", {8, 9}, {2, 9}, R"([{"id":3}])"));
  cfg.push_back(interop_dataset("shuf_gzip_noise_u4", "<u4", {2, 1000}, {1, 1000},
                                R"([{"id":2},{"id":1,"opts":[4]}])"));
  return cfg;
}

TEST(CodecInterop, H5pyBuiltinFilterChunksDecodeBitExactly) {
  testing::expect_h5py_chunks_decode(builtin_interop_config(), 20, [](const Pipeline& p, const nlohmann::json& ds) {
    // h5py recorded every filter the config asks for, so each chunk went through all of them.
    ASSERT_EQ(p.filters().size(), ds["filters"].size()) << ds["name"].get<std::string>();
  });
}

TEST(CodecInterop, H5pyReadsBuiltinFilterChunksWeEncode) {
  testing::expect_h5py_reads_our_chunks(builtin_interop_config(), 40, testing::cut_chunks_in_c_order);
}

}  // namespace
}  // namespace h5dig::codec
