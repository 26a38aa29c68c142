// Filter specs of the writers' filters (szip, lzf, bzip2, lzo): parsing,
// formatting, and the cd_values resolve_filter_specs gives, equal to what h5py
// records through HDF5's set_local for the same type and chunks.
#include "h5dig/codec/filter_spec_parse.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "h5dig/error.hpp"
#include "support/fixtures.hpp"

namespace h5dig::codec {
namespace {

std::string usage_error(const std::string& text) {
  try {
    parse_filter_specs(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage) << text;
    return e.what();
  }
  return "accepted";
}

TEST(FilterSpec, WritersFiltersParseAndFormatBack) {
  struct Case {
    const char* text;
    unsigned id;
    std::vector<unsigned> cd;
    const char* formatted;
  } cases[] = {
      {"szip", kSzipId, {161, 8}, "szip=nn:8"},          // h5py's default ('nn', 8): NN | K13 | RAW
      {"szip=nn", kSzipId, {161, 8}, "szip=nn:8"},
      {"szip=ec", kSzipId, {133, 8}, "szip=ec:8"},       // EC | K13 | RAW
      {"szip=nn:16", kSzipId, {161, 16}, "szip=nn:16"},
      {"szip = ec : 32", kSzipId, {133, 32}, "szip=ec:32"},
      {"szip=nn:2", kSzipId, {161, 2}, "szip=nn:2"},
      {"lzf", kLzfId, {}, "lzf"},
      {"bzip2", kBzip2Id, {9}, "bzip2=9"},
      {"bzip2=1", kBzip2Id, {1}, "bzip2=1"},
      {"lzo", kLzoId, {}, "lzo"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_filter_specs(c.text);
    ASSERT_EQ(parsed.filters.size(), 1u) << c.text;
    const auto& f = parsed.filters[0];
    EXPECT_EQ(f.id, c.id) << c.text;
    EXPECT_EQ(f.cd_values, c.cd) << c.text;
    EXPECT_TRUE(f.optional()) << c.text;  // as h5py, PyTables and the plugins set them
    EXPECT_EQ(format_filter_specs(parsed.filters), c.formatted);
  }
  auto chain = parse_filter_specs("shuffle,lzo,fletcher32");
  EXPECT_EQ(format_filter_specs(chain.filters), "shuffle,lzo,fletcher32");
}

TEST(FilterSpec, WritersFiltersRejectBadValues) {
  EXPECT_EQ(usage_error("szip=zz"), "filter 'szip=zz': szip method 'zz' is not nn or ec");
  EXPECT_EQ(usage_error("szip=nn:7"), "filter 'szip=nn:7': pixels per block '7' is not an even number in 2..32");
  EXPECT_EQ(usage_error("szip=nn:64"), "filter 'szip=nn:64': pixels per block '64' is not an even number in 2..32");
  EXPECT_EQ(usage_error("szip=nn:"), "filter 'szip=nn:': pixels per block '' is not an even number in 2..32");
  EXPECT_EQ(usage_error("szip=16"), "filter 'szip=16': szip method '16' is not nn or ec");
  EXPECT_EQ(usage_error("bzip2=0"), "filter 'bzip2=0': level 0 is outside 1..9");
  EXPECT_EQ(usage_error("lzf=3"), "filter 'lzf=3' takes no value");
  EXPECT_EQ(usage_error("lzo:zlib"), "filter 'lzo:zlib': only gzip takes an engine (':zlib' or ':libdeflate')");
  EXPECT_NE(usage_error("snappy").find("szip=nn|ec[:PPB], lzf, bzip2=N, lzo"), std::string::npos);
}

TEST(FilterSpec, SzipRefusesWhatHdf5Cannot) {
  auto szip = parse_filter_specs("szip=nn:32").filters;
  auto refused = [&](std::size_t es, std::vector<std::uint64_t> chunks) {
    try {
      resolve_filter_specs(szip, es, chunks);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused(3, {100}), "filter szip does not suit 3-byte elements (1, 2, 4 or 8)");
  EXPECT_EQ(refused(16, {100}), "filter szip does not suit 16-byte elements (1, 2, 4 or 8)");
  EXPECT_EQ(refused(2, {3, 5}), "filter szip: 32 pixels per block, but chunks of 15 elements");
  EXPECT_EQ(refused(2, {}), "filter szip needs the chunk shape");
  EXPECT_EQ(refused(2, {4, 8}), "accepted");
}

// h5py records, through HDF5's set_local (szip) and its own (LZF), exactly the
// values h5dig resolves for the same element size and chunk shape.
TEST(FilterSpec, ResolvedValuesEqualWhatH5pyRecords) {
  struct Case {
    const char* spec;
    const char* h5py_kw;  // create_dataset keywords
    const char* dtype;
    std::vector<std::uint64_t> chunks;
  };
  const std::vector<Case> cases = {
      {"szip", "compression='szip'", "<u2", {10, 100}},
      {"szip=ec:16", "compression='szip', compression_opts=('ec', 16)", "<i4", {64, 64}},
      {"szip", "compression='szip'", "<f8", {5000}},              // scanline capped at 128 blocks
      {"szip=nn:32", "compression='szip', compression_opts=('nn', 32)", "<u1", {3, 10000}},
      {"szip=nn:16", "compression='szip', compression_opts=('nn', 16)", "<i8", {40, 3}},  // narrow: whole chunk
      {"szip=ec:2", "compression='szip', compression_opts=('ec', 2)", "<f4", {1, 1, 7}},
      {"szip", "compression='szip'", "<u2", {2, 8, 6}},
      {"lzf", "compression='lzf'", "<u2", {10, 100}},
      {"lzf", "compression='lzf'", "<f8", {3, 5, 7}},
  };
  test::TempDir dir;
  nlohmann::json cfg = nlohmann::json::array();
  for (const auto& c : cases) cfg.push_back({{"kw", c.h5py_kw}, {"dtype", c.dtype}, {"chunks", c.chunks}});
  test::write_file(dir / "cases.json", cfg.dump());
  auto r = test::run_python(R"PY(
import sys, json, h5py
cases = json.load(open(sys.argv[1]))
out = []
with h5py.File(sys.argv[2], 'w') as f:
    for i, c in enumerate(cases):
        shape = tuple(2 * x for x in c['chunks'])
        d = eval("f.create_dataset('d%d', shape=shape, dtype=c['dtype'], chunks=tuple(c['chunks']), " % i + c['kw'] + ")")
        pl = d.id.get_create_plist()
        code, flags, values, name = pl.get_filter(pl.get_nfilters() - 1)
        out.append({'id': code, 'flags': flags, 'cd': list(values)})
print(json.dumps(out))
)PY",
                            {(dir / "cases.json").string(), (dir / "f.h5").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto recorded = nlohmann::json::parse(r.out);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const std::size_t es = std::stoul(std::string(c.dtype).substr(2));
    auto resolved = resolve_filter_specs(parse_filter_specs(c.spec).filters, es, c.chunks);
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_EQ(resolved[0].id, recorded[i]["id"].get<unsigned>()) << c.spec;
    EXPECT_EQ(resolved[0].flags, recorded[i]["flags"].get<unsigned>()) << c.spec;
    EXPECT_EQ(resolved[0].cd_values, recorded[i]["cd"].get<std::vector<unsigned>>()) << c.spec << " " << c.dtype;
  }
}

}  // namespace
}  // namespace h5dig::codec
