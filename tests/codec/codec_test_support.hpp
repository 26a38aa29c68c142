// Shared helpers of the codec tests: test data, round-trip cases and the h5py
// interop harness.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "h5dig/codec/pipeline.hpp"
#include "support/fixtures.hpp"

namespace h5dig::codec::testing {

using Bytes = std::vector<std::byte>;

// Detector-like frames: Poisson(mean) counts as little-endian integers of `es` bytes.
Bytes poisson_bytes(std::size_t n_elements, std::size_t es, double mean, unsigned seed = 1);
// Uniform random bytes (incompressible).
Bytes random_bytes(std::size_t n, unsigned seed = 2);
// English-like text.
Bytes text_bytes(std::size_t n);

std::vector<FilterSpec> specs_from_json(const nlohmann::json& filters);

// A filter spec as HDF5 would record it: id, flags, cd_values, and its name.
inline FilterSpec spec(unsigned id, std::vector<unsigned> cd = {}, unsigned flags = 0) {
  FilterSpec s;
  s.id = id;
  s.flags = flags;
  s.cd_values = std::move(cd);
  s.name = filter_name(id);
  return s;
}

inline std::span<const std::byte> view(const Bytes& b) { return {b.data(), b.size()}; }

// Runs the h5py side of an interop test (the script is kScript below):
//   mode "write": h5py creates each dataset of `config` with its filters and
//     real data, then dumps every chunk's stored bytes and filter mask, the
//     filters as stored, and the data.
//   mode "read": h5py creates each dataset, writes the chunks in dir (made by
//     the C++ side) with write_direct_chunk and reads the dataset back through
//     HDF5's filters; prints "OK name" per dataset whose data equals the file.
// Filters: h5py's keywords for HDF5's own and LZF, compression=<id> for the
// others (Debian's plugins, or PyTables' filters: see interop_dataset).
// Returns the manifest written by the script (dir/manifest.json).
nlohmann::json run_h5py(const std::string& mode, const nlohmann::json& config, const std::filesystem::path& dir,
                        std::string* stdout_text = nullptr);

// ---- definitions ----


inline Bytes poisson_bytes(std::size_t n, std::size_t es, double mean, unsigned seed) {
  std::mt19937 rng(seed);
  std::poisson_distribution<unsigned> d(mean);
  Bytes out(n * es);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t v = d(rng);
    for (std::size_t b = 0; b < es; ++b) out[i * es + b] = std::byte((v >> (8 * b)) & 0xff);
  }
  return out;
}

inline Bytes random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = std::byte(rng() & 0xff);
  return out;
}

inline Bytes text_bytes(std::size_t n) {
  static const std::string words[] = {"the ",  "beam ", "detector ", "frame ", "of ",   "HDF5 ", "chunk ",
                                      "data ", "is ",   "written ",  "and ",   "read ", "fast ", "\n"};
  std::mt19937 rng(3);
  std::string s;
  while (s.size() < n) s += words[rng() % 14];
  s.resize(n);
  Bytes out(n);
  std::memcpy(out.data(), s.data(), n);
  return out;
}

inline std::vector<FilterSpec> specs_from_json(const nlohmann::json& filters) {
  std::vector<FilterSpec> specs;
  for (const auto& f : filters) {
    FilterSpec s;
    s.id = f.at("id").get<unsigned>();
    s.flags = f.at("flags").get<unsigned>();
    s.cd_values = f.at("cd_values").get<std::vector<unsigned>>();
    s.name = f.at("name").get<std::string>();
    specs.push_back(std::move(s));
  }
  return specs;
}

namespace {

// The h5py half of the interop tests. Datasets are described by JSON:
//   {"name", "dtype", "shape", "chunks", "data" (raw file), "filters": [{"id", "opts", "flags"?}]}
// h5py's own keywords are used for HDF5's filters (so the dcpl is exactly what
// h5py users get); plugin filters go through compression=<id>.
inline const char* kScript = R"PY(
import json, os, sys
import numpy as np
import h5py

mode, cfg_path, d = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = json.load(open(cfg_path))
if any(ds.get('pytables') for ds in cfg):
    import tables  # registers PyTables' own LZO (305) and bzip2 (307) filters in this process
path = os.path.join(d, 'interop.h5')
manifest = {}

def create(f, ds):
    kw = {}
    low = []
    for flt in ds['filters']:
        fid, opts = flt['id'], flt.get('opts')
        if fid == 1: kw['compression'] = 'gzip'; kw['compression_opts'] = opts[0] if opts else 4
        elif fid == 2: kw['shuffle'] = True
        elif fid == 3: kw['fletcher32'] = True
        elif fid == 4: kw['compression'] = 'szip'; kw['compression_opts'] = tuple(opts or ('nn', 8))
        elif fid == 32000: kw['compression'] = 'lzf'
        else: low.append((fid, tuple(opts or ())))
    if low:
        assert len(low) == 1 and 'compression' not in kw
        kw['compression'] = low[0][0]
        kw['compression_opts'] = low[0][1]
    return f.create_dataset(ds['name'], shape=tuple(ds['shape']), chunks=tuple(ds['chunks']),
                            dtype=ds['dtype'], **kw)

def filters_of(dset):
    pl = dset.id.get_create_plist()
    out = []
    for i in range(pl.get_nfilters()):
        code, flags, values, name = pl.get_filter(i)
        out.append({'id': int(code), 'flags': int(flags), 'cd_values': [int(v) for v in values],
                    'name': name.decode('latin-1')})
    return out

def chunk_offsets(shape, chunks):
    idx = [range(0, s, c) for s, c in zip(shape, chunks)]
    import itertools
    return list(itertools.product(*idx))

if mode == 'write':
    with h5py.File(path, 'w') as f:
        for ds in cfg:
            data = np.fromfile(os.path.join(d, ds['data']), dtype=ds['dtype']).reshape(ds['shape'])
            dset = create(f, ds)
            dset[...] = data
    with h5py.File(path, 'r') as f:
        for ds in cfg:
            dset = f[ds['name']]
            chunks = []
            for k, off in enumerate(chunk_offsets(ds['shape'], ds['chunks'])):
                mask, raw = dset.id.read_direct_chunk(off)
                fn = '%s.%d.stored' % (ds['name'], k)
                open(os.path.join(d, fn), 'wb').write(raw)
                sl = tuple(slice(o, o + c) for o, c in zip(off, ds['chunks']))
                dfn = '%s.%d.raw' % (ds['name'], k)
                dset[sl].tofile(os.path.join(d, dfn))
                chunks.append({'stored': fn, 'raw': dfn, 'mask': int(mask)})
            manifest[ds['name']] = {'filters': filters_of(dset), 'chunks': chunks,
                                    'itemsize': dset.dtype.itemsize}
elif mode == 'specs':
    with h5py.File(path, 'w') as f:
        for ds in cfg:
            manifest[ds['name']] = {'filters': filters_of(create(f, ds))}
elif mode == 'read':
    with h5py.File(path, 'w') as f:
        for ds in cfg:
            dset = create(f, ds)
            for k, off in enumerate(chunk_offsets(ds['shape'], ds['chunks'])):
                fn = os.path.join(d, '%s.%d.encoded' % (ds['name'], k))
                mask = int(open(fn + '.mask').read())
                dset.id.write_direct_chunk(off, open(fn, 'rb').read(), mask)
    with h5py.File(path, 'r') as f:
        for ds in cfg:
            data = np.fromfile(os.path.join(d, ds['data']), dtype=ds['dtype']).reshape(ds['shape'])
            got = f[ds['name']][...]
            print(('OK ' if np.array_equal(got, data) else 'DIFF ') + ds['name'])
json.dump(manifest, open(os.path.join(d, 'manifest.json'), 'w'))
)PY";

}  // namespace

inline nlohmann::json run_h5py(const std::string& mode, const nlohmann::json& config, const std::filesystem::path& dir,
                        std::string* stdout_text) {
  test::write_file(dir / "config.json", config.dump());
  auto r = test::run_python(kScript, {mode, (dir / "config.json").string(), dir.string()});
  if (stdout_text) *stdout_text = r.out;
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(test::read_file(dir / "manifest.json"));
}

// ---- round trips ----

// One parameterised round-trip case: a filter pipeline at one element size.
struct RoundTripCase {
  std::string name;
  std::vector<FilterSpec> filters;
  std::size_t element_size;
};

// Readable test names in ctest and gtest output.
inline void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.name; }

// The cases of one element size. Every name ends in "_es<N>", so one pipeline
// at several element sizes gives distinct test names.
class CaseList {
 public:
  CaseList(std::vector<RoundTripCase>& cases, std::size_t element_size)
      : cases_(cases), element_size_(element_size), suffix_("_es" + std::to_string(element_size)) {}

  void add(const std::string& stem, std::vector<FilterSpec> filters) {
    cases_.push_back({stem + suffix_, std::move(filters), element_size_});
  }

  // One case per value of a filter's single parameter (a level or a block
  // size), named "<stem><value>_es<N>".
  void add_per_value(const std::string& stem, unsigned filter_id, std::initializer_list<unsigned> values,
                     unsigned flags) {
    for (unsigned v : values) add(stem + std::to_string(v), {spec(filter_id, {v}, flags)});
  }

 private:
  std::vector<RoundTripCase>& cases_;
  std::size_t element_size_;
  std::string suffix_;
};

// The cases for element sizes 1, 2, 4 and 8: `add_cases(list, es)` adds those
// of one element size.
template <class AddCases>
std::vector<RoundTripCase> cases_per_element_size(AddCases&& add_cases) {
  std::vector<RoundTripCase> cases;
  for (std::size_t es : {1, 2, 4, 8}) {
    CaseList list(cases, es);
    add_cases(list, es);
  }
  return cases;
}

// Encodes `raw`, then decodes the stored bytes with the mask the encoder chose.
inline Bytes round_trip(const Pipeline& p, const Bytes& raw, Workspace& ws) {
  EncodedChunk enc = p.encode(view(raw), ws);
  Bytes stored(enc.bytes.begin(), enc.bytes.end());
  Bytes back(raw.size());
  p.decode(view(stored), back, enc.filter_mask, ws);
  return back;
}

// The inputs of the filter round trips for elements of `es` bytes: empty, one
// element, fewer than 8 (all trailing for bitshuffle), 8 + 5, detector-like
// counts over several blocks (odd count), text over one bzip2 block of 100 kB,
// incompressible noise.
inline std::vector<Bytes> round_trip_inputs(std::size_t es) {
  return {
      Bytes{},
      random_bytes(es, 5),
      random_bytes(es * 7, 6),
      random_bytes(es * 13, 7),
      poisson_bytes(50003, es, 0.5),
      text_bytes((300011 / es) * es),
      random_bytes(es * 9001, 9),
  };
}

// Every input comes back unchanged through the case's pipeline. One Workspace
// serves all inputs, as in a reader, so what one chunk leaves in it must not
// spoil the next.
inline void expect_round_trips(const RoundTripCase& c, const std::vector<Bytes>& inputs) {
  Pipeline p(c.filters, c.element_size);
  Workspace ws;
  for (const auto& raw : inputs) {
    Bytes back = round_trip(p, raw, ws);
    ASSERT_EQ(back, raw) << c.name << " size " << raw.size();
  }
}

// ---- interop harness ----

// One dataset of an interop config (see run_h5py); its data file is "<name>.data".
// With `pytables`, the script imports PyTables first, so that filters 305 and
// 307 are PyTables' own (registered in-process) rather than a plugin's.
inline nlohmann::json interop_dataset(const std::string& name, const std::string& dtype, std::vector<int> shape,
                                      std::vector<int> chunks, const char* filters_json, bool pytables = false) {
  return {{"name", name},    {"dtype", dtype},           {"shape", shape},
          {"chunks", chunks}, {"data", name + ".data"}, {"filters", nlohmann::json::parse(filters_json)},
          {"pytables", pytables}};
}

// Bytes per element of a numpy dtype string such as "<u2".
inline std::size_t itemsize_of(const std::string& dtype) { return std::stoul(dtype.substr(2)); }

// Writes the data file of each dataset of `cfg`: text if its name says "text",
// random bytes if "noise", detector-like counts otherwise. The i-th dataset
// gets seed first_seed + i.
inline void write_data_files(const test::TempDir& dir, const nlohmann::json& cfg, unsigned first_seed) {
  unsigned seed = first_seed;
  for (const auto& ds : cfg) {
    std::size_t n = 1;
    for (int s : ds["shape"]) n *= static_cast<std::size_t>(s);
    std::size_t es = itemsize_of(ds["dtype"]);
    std::string name = ds["name"];
    Bytes b = name.find("text") != std::string::npos    ? text_bytes(n * es)
              : name.find("noise") != std::string::npos ? random_bytes(n * es, seed)
                                                        : poisson_bytes(n, es, 0.5, seed);
    test::write_file(dir / ds["data"].get<std::string>(),
                     std::string(reinterpret_cast<const char*>(b.data()), b.size()));
    ++seed;
  }
}

// A test's own check of the pipeline built for one dataset of the config.
using PipelineCheck = std::function<void(const Pipeline&, const nlohmann::json& dataset)>;

// One chunk h5py wrote: its stored bytes and mask, and the data it holds.
struct H5pyChunk {
  std::string name;  // "<dataset>.<k>.stored"
  Bytes stored;
  Bytes raw;
  std::uint32_t mask = 0;
};

// h5py writes every dataset of `cfg` through HDF5's filters (data files
// seeded from first_seed); `check` runs on each stored chunk with our pipeline
// built from the filters h5py recorded. `check_pipeline`, if given, runs on
// each dataset's pipeline before its chunks.
inline void for_each_h5py_chunk(const nlohmann::json& cfg, unsigned first_seed,
                                const std::function<void(const Pipeline&, const H5pyChunk&, Workspace&)>& check,
                                const PipelineCheck& check_pipeline = {}) {
  test::TempDir dir;
  write_data_files(dir, cfg, first_seed);
  auto manifest = run_h5py("write", cfg, dir.path());
  ASSERT_FALSE(manifest.empty());
  Workspace ws;
  auto bytes = [](const std::string& s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    return Bytes(p, p + s.size());
  };
  for (const auto& ds : cfg) {
    const std::string name = ds["name"];
    const auto& m = manifest.at(name);
    Pipeline p(specs_from_json(m["filters"]), m["itemsize"].get<std::size_t>());
    if (check_pipeline) {
      check_pipeline(p, ds);
      if (::testing::Test::HasFatalFailure()) return;
    }
    ASSERT_FALSE(m["chunks"].empty()) << name;
    for (const auto& c : m["chunks"]) {
      H5pyChunk chunk{c["stored"].get<std::string>(), bytes(test::read_file(dir / c["stored"].get<std::string>())),
                      bytes(test::read_file(dir / c["raw"].get<std::string>())), c["mask"].get<std::uint32_t>()};
      check(p, chunk, ws);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// Our pipeline, built from the filters h5py recorded, must decode each stored
// chunk to exactly the bytes h5py reads back.
inline void expect_h5py_chunks_decode(const nlohmann::json& cfg, unsigned first_seed,
                                      const PipelineCheck& check_pipeline = {}) {
  for_each_h5py_chunk(
      cfg, first_seed,
      [](const Pipeline& p, const H5pyChunk& c, Workspace& ws) {
        Bytes out(c.raw.size());
        p.decode(view(c.stored), out, c.mask, ws);
        ASSERT_EQ(out, c.raw) << c.name;
      },
      check_pipeline);
}

// As expect_h5py_chunks_decode, and our encoder writes each chunk byte for
// byte as the writer's filter did, skipping the same filters (mask).
inline void expect_h5py_chunks_decode_and_encode_identically(const nlohmann::json& cfg, unsigned first_seed) {
  for_each_h5py_chunk(cfg, first_seed, [](const Pipeline& p, const H5pyChunk& c, Workspace& ws) {
    Bytes out(c.raw.size());
    p.decode(view(c.stored), out, c.mask, ws);
    ASSERT_EQ(out, c.raw) << c.name;
    EncodedChunk enc = p.encode(view(c.raw), ws);
    EXPECT_EQ(enc.filter_mask, c.mask) << c.name;
    ASSERT_EQ(Bytes(enc.bytes.begin(), enc.bytes.end()), c.stored) << c.name;
  });
}

// Cuts one dataset's data file into its chunks, in C order over the chunk
// grid (the order the h5py script writes them back in). It fills `chunks`
// rather than returning them so that it can use ASSERT_*.
using ChunkCutter =
    std::function<void(const nlohmann::json& dataset, const std::string& data, std::vector<Bytes>& chunks)>;

// Chunks of any rank, in C order over the chunk grid; the shapes here divide exactly.
inline void cut_chunks_in_c_order(const nlohmann::json& ds, const std::string& data, std::vector<Bytes>& chunks) {
  const std::size_t es = testing::itemsize_of(ds["dtype"]);
  std::vector<int> shape = ds["shape"], chunk_shape = ds["chunks"];
  std::vector<int> grid(shape.size());
  std::size_t nchunks = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) nchunks *= grid[d] = shape[d] / chunk_shape[d];
  std::size_t chunk_elems = 1;
  for (int c : chunk_shape) chunk_elems *= static_cast<std::size_t>(c);
  for (std::size_t k = 0; k < nchunks; ++k) {
    std::vector<int> cidx(shape.size());
    std::size_t rem = k;
    for (std::size_t d = shape.size(); d-- > 0;) {
      cidx[d] = static_cast<int>(rem % grid[d]);
      rem /= grid[d];
    }
    Bytes raw(chunk_elems * es);
    // Gather the chunk from the C-order dataset.
    std::vector<int> pos(shape.size(), 0);
    for (std::size_t e = 0; e < chunk_elems; ++e) {
      std::size_t r = e;
      for (std::size_t d = shape.size(); d-- > 0;) {
        pos[d] = static_cast<int>(r % chunk_shape[d]) + cidx[d] * chunk_shape[d];
        r /= chunk_shape[d];
      }
      std::size_t lin = 0;
      for (std::size_t d = 0; d < shape.size(); ++d) lin = lin * shape[d] + pos[d];
      std::memcpy(raw.data() + e * es, data.data() + lin * es, es);
    }
    chunks.push_back(std::move(raw));
  }
}

// We encode every chunk of the datasets of `cfg` (data files seeded from
// first_seed) with the filters exactly as h5py records them (cd_values after
// set_local); h5py stores our chunks with write_direct_chunk and must read each
// dataset back, through HDF5's own filters, equal to its data file.
inline void expect_h5py_reads_our_chunks(const nlohmann::json& cfg, unsigned first_seed,
                                         const ChunkCutter& cut_chunks) {
  test::TempDir dir;
  write_data_files(dir, cfg, first_seed);
  auto specs = run_h5py("specs", cfg, dir.path());
  ASSERT_FALSE(specs.empty());
  Workspace ws;
  for (const auto& ds : cfg) {
    const std::string name = ds["name"];
    Pipeline p(specs_from_json(specs.at(name)["filters"]), itemsize_of(ds["dtype"]));
    std::vector<Bytes> chunks;
    cut_chunks(ds, test::read_file(dir / ds["data"].get<std::string>()), chunks);
    if (::testing::Test::HasFatalFailure()) return;
    for (std::size_t k = 0; k < chunks.size(); ++k) {
      auto enc = p.encode(view(chunks[k]), ws);
      auto base = dir / (name + "." + std::to_string(k) + ".encoded");
      test::write_file(base, std::string(reinterpret_cast<const char*>(enc.bytes.data()), enc.bytes.size()));
      test::write_file(base.string() + ".mask", std::to_string(enc.filter_mask));
    }
  }
  std::string out;
  run_h5py("read", cfg, dir.path(), &out);
  for (const auto& ds : cfg)
    EXPECT_NE(out.find("OK " + ds["name"].get<std::string>() + "\n"), std::string::npos) << out;
}

}  // namespace h5dig::codec::testing
