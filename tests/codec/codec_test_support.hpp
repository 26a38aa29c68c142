// Shared helpers of the codec tests: test data and the h5py interop harness.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
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

// Runs the h5py side of an interop test (script in codec_test_support.cpp):
//   mode "write": h5py creates each dataset of `config` with its filters and
//     real data, then dumps every chunk's stored bytes and filter mask, the
//     filters as stored, and the data.
//   mode "read": h5py creates each dataset, writes the chunks in dir (made by
//     the C++ side) with write_direct_chunk and reads the dataset back through
//     HDF5's filters; prints "OK name" per dataset whose data equals the file.
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

}  // namespace h5dig::codec::testing
