#include "h5dig/io/repack.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <map>

#include "h5dig/error.hpp"
#include "h5dig/h5/copy.hpp"
#include "h5dig/h5/create.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/io/parallel_reader.hpp"
#include "h5dig/object_path.hpp"
#include "h5dig/util/atomic_output.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::io {

std::pair<std::filesystem::path, std::string> split_output_path(const std::string& arg) {
  std::filesystem::path p(arg);
  std::filesystem::path prefix;
  std::vector<std::string> parts;
  for (const auto& c : p) parts.push_back(c.string());
  std::size_t i = 0;
  for (; i < parts.size(); ++i) {
    prefix /= parts[i];
    std::error_code ec;
    if (!std::filesystem::is_directory(prefix, ec)) break;
  }
  if (i >= parts.size()) throw_usage(fmt::format("{}: names a directory, not an output file", arg));
  std::string object;
  for (std::size_t j = i + 1; j < parts.size(); ++j) {
    if (parts[j].empty()) continue;
    if (!object.empty()) object += '/';
    object += parts[j];
  }
  return {prefix, object};
}

std::vector<h5::Size> default_chunks(const std::vector<h5::Size>& dims, std::size_t element_size) {
  std::vector<h5::Size> c(dims.size());
  for (std::size_t d = 0; d < dims.size(); ++d) c[d] = std::max<h5::Size>(1, dims[d]);
  auto bytes = [&] {
    std::uint64_t b = element_size;
    for (auto x : c) b *= x;
    return b;
  };
  if (bytes() <= (1u << 20)) return c;  // small: one chunk
  if (dims.size() == 1) {
    c[0] = std::max<h5::Size>(1, (1 << 20) / element_size);
    return c;
  }
  c[0] = 1;  // frames
  for (std::size_t d = 1; bytes() > (4u << 20) && d < c.size();) {
    if (c[d] > 1) c[d] = (c[d] + 1) / 2;
    else ++d;
  }
  // Small frames: stack them up to ~1 MiB.
  while (bytes() < (512u << 10) && c[0] < dims[0]) c[0] = std::min<h5::Size>(dims[0], c[0] * 2);
  return c;
}

namespace {

std::uint64_t product(const std::vector<h5::Size>& v) {
  std::uint64_t p = 1;
  for (auto x : v) p *= x;
  return p;
}

struct Repacker {
  const RepackOptions& options;
  WriteSession session;
  RepackStats stats;
  util::Progress* progress = nullptr;
  std::map<h5::Address, std::string> seen;  // object address in the input -> path in the output
  std::string in_file;
  bool walking = false;  // repacking a group or file rather than one named dataset

  explicit Repacker(const RepackOptions& o) : options(o), session(WriteSession::Options{.threads = o.threads}) {}

  // Read block. `unit` is the shape the block is made of: whole input chunks
  // for filtered input (each chunk decoded once), whole output chunks for
  // unfiltered input (raw chunks or contiguous data read in any order for the
  // same cost: the reader preads just the selected runs). The block is
  // widened to the full extent of the trailing axes (up to 64 MiB of input
  // chunks, ~8 MiB of output chunks: all of those are in memory at once) and
  // grown along the first axis that is not whole (up to ~8 MiB), so reads are large
  // and the writer sees blocks in row-major order. Blocks of whole output
  // chunks complete every chunk they touch, so only one block's chunks are in
  // memory, whatever the output chunk shape; blocks of input chunks that cut
  // across the output chunks keep a whole row of output chunks open.
  std::vector<h5::Size> read_block(const std::vector<h5::Size>& dims, const std::vector<h5::Size>& unit,
                                  std::size_t esize, bool grow_first_partial_axis) {
    const std::size_t r = dims.size();
    std::vector<h5::Size> b(r);
    for (std::size_t d = 0; d < r; ++d) {
      h5::Size c = unit.empty() ? (d == 0 ? 1 : dims[d]) : unit[d];
      b[d] = std::max<h5::Size>(1, std::min(c, dims[d]));
    }
    auto bytes = [&] { return product(b) * esize; };
    const std::uint64_t widest = grow_first_partial_axis ? (8u << 20) : (64u << 20);
    std::size_t grow = 0;
    for (std::size_t d = r; d-- > 1;) {
      h5::Size keep = b[d];
      b[d] = dims[d];
      if (bytes() > widest) {
        b[d] = keep;
        if (grow_first_partial_axis) grow = d;
        break;
      }
    }
    h5::Size step = b[grow];
    while (bytes() < (8u << 20) && b[grow] + step <= dims[grow]) b[grow] += step;
    return b;
  }

  void repack_dataset(const h5::Group& src_parent, const std::string& src_name, const h5::Group& dst_parent,
                      const std::string& dst_name) {
    h5::Dataset src = src_parent.open_dataset(src_name);
    std::string where = fmt::format("{}/{}", in_file, src.name().substr(1));
    h5::Datatype type = src.type();
    h5::Dataspace space = src.space();
    // What h5dig cannot chunk itself is copied as stored.
    if (space.kind() != h5::SpaceClass::simple || space.rank() == 0 || space.element_count() == 0 ||
        !h5::is_fixed_size_type(type)) {
      h5::copy_object(src_parent, src_name, dst_parent, dst_name);
      ++stats.copied;
      return;
    }
    const std::vector<h5::Size> dims = space.dims(), maxdims = space.maxdims();
    const std::size_t esize = type.size();
    const std::vector<h5::Size> in_chunks = src.layout() == h5::Layout::chunked ? src.chunk_dims() : std::vector<h5::Size>{};
    std::vector<h5::Size> chunks;
    if (options.chunks) {
      chunks = *options.chunks;
      if (chunks.size() != dims.size())
        throw_usage(fmt::format("{}: --chunks {} has {} dimensions, the dataset {{{}}} has {}", where,
                                fmt::join(chunks, ","), chunks.size(), fmt::join(dims, ", "), dims.size()));
      for (std::size_t d = 0; d < dims.size(); ++d)
        if (maxdims[d] != h5::kUnlimited && chunks[d] > maxdims[d])
          throw_usage(fmt::format("{}: --chunks {} is larger than the dataset {{{}}} along dimension {}", where,
                                  fmt::join(chunks, ","), fmt::join(dims, ", "), d));
    } else {
      chunks = in_chunks.empty() ? default_chunks(dims, esize) : in_chunks;
    }
    DatasetSpec spec;
    spec.name = dst_name;
    spec.type = type.id();
    spec.shape = dims;
    spec.maxshape = maxdims;
    spec.chunks = chunks;
    spec.fill_value = h5::fill_value_bytes(src);
    spec.track_times = h5::tracks_times(src);
    std::vector<codec::FilterSpec> keep;
    if (options.filters) {
      spec.filters = options.filters->filters;
      spec.deflate = options.filters->deflate;
      // Walking a file, shuffle is dropped for 1-byte datasets (it would not
      // change them), as h5repack does; naming one such dataset is a usage error.
      if (walking && esize == 1)
        std::erase_if(spec.filters, [](const codec::FilterSpec& f) { return f.id == codec::kShuffleId; });
      // So is szip where it does not apply, as h5repack does: to anything but
      // integers and floats (HDF5 cannot record a pixel width for compounds or
      // strings), to other element sizes, to chunks smaller than a block.
      const std::vector<std::uint64_t> chunk_dims(chunks.begin(), chunks.end());
      const bool numeric = type.type_class() == h5::TypeClass::integer || type.type_class() == h5::TypeClass::floating;
      if (walking)
        std::erase_if(spec.filters, [&](const codec::FilterSpec& f) {
          return f.id == codec::kSzipId && (!numeric || codec::szip_unsuitable(f, esize, chunk_dims));
        });
    } else {
      keep = h5::read_filter_specs(src.create_plist());
    }
    const bool raw_input = src.layout() != h5::Layout::chunked || h5::read_filter_specs(src.create_plist()).empty();
    std::vector<h5::Size> block =
        raw_input ? read_block(dims, chunks, esize, true) : read_block(dims, in_chunks, esize, false);
    WriteOptions wo;
    wo.block_shape = block;
    if (options.memory_limit) wo.memory_limit = options.memory_limit;
    ChunkWriter writer = [&] {
      try {
        if (options.filters) return ChunkWriter::create(session, dst_parent, spec, wo);
        // Keep the input's pipeline exactly as recorded (cd_values included).
        for (const auto& f : keep)
          if (!codec::is_supported(f.id))
            throw Error(ErrorKind::unsupported,
                        fmt::format("unsupported filter {} (id {}); give --filter to recompress",
                                    f.name.empty() ? codec::filter_name(f.id) : f.name, f.id));
        h5::ChunkedCreate c;
        c.name = dst_name;
        c.file_type = type.id();
        c.dims = dims;
        c.maxdims = maxdims;
        c.chunks = chunks;
        c.filters = keep;
        c.fill_value = spec.fill_value;
        c.track_times = spec.track_times;
        return ChunkWriter::open(session, h5::create_chunked_dataset(dst_parent, c), codec::DeflateEngine::libdeflate,
                                 wo);
      } catch (const Error& e) {
        std::string msg = e.what();
        if (msg.starts_with(where)) throw;
        // The writer names the dataset by its new name; name the input instead.
        if (msg.starts_with(dst_name + ": ")) throw Error(e.kind(), where + msg.substr(dst_name.size()));
        throw e.with_context(where);
      }
    }();
    // Read whole blocks in row-major order (bounded: one block in memory),
    // through the parallel reader (h5dig's decoders on N threads); H5Dread if
    // the reader cannot open it.
    std::vector<std::byte> buf(product(block) * esize);
    const std::size_t r = dims.size();
    std::vector<h5::Size> origin(r, 0);
    h5::Dataspace file_space = src.space();
    std::unique_ptr<ParallelReader> reader;
    try {
      reader = std::make_unique<ParallelReader>(in_file, src.name());
    } catch (const Error&) {
      reader.reset();
    }
    for (;;) {
      std::vector<h5::Size> count(r);
      for (std::size_t d = 0; d < r; ++d) count[d] = std::min(block[d], dims[d] - origin[d]);
      std::uint64_t n = product(count);
      try {
        if (reader) {
          Selection sel{{origin.begin(), origin.end()}, {count.begin(), count.end()}};
          ReadOptions ro;
          ro.threads = options.threads;
          reader->read(sel, std::span(buf).first(n * esize), ro);
        } else {
          file_space.select_hyperslab(origin, count);
          h5::Dataspace mem = h5::Dataspace::simple(count);
          src.read(type.id(), mem.id(), file_space.id(), buf.data());
        }
      } catch (const Error& e) {
        if (std::string(e.what()).find(where) != std::string::npos) throw;
        throw e.with_context(fmt::format("{}: reading block at [{}]", where, fmt::join(origin, ",")));
      }
      writer.write(origin, count, std::span(buf).first(n * esize));
      stats.logical_bytes += n * esize;
      if (progress) progress->advance(n * esize);
      std::size_t d = r;
      bool done = true;
      while (d-- > 0) {
        origin[d] += block[d];
        if (origin[d] < dims[d]) {
          done = false;
          break;
        }
        origin[d] = 0;
      }
      if (done) break;
    }
    writer.finish(false);
    h5::Dataset out = dst_parent.open_dataset(dst_name);
    h5::copy_attributes(src, out);
    ++stats.datasets;
  }

  void repack_group(const h5::Group& src, const h5::Group& dst, const std::string& dst_path) {
    for (const auto& link : h5::list_links(src)) {
      std::string out_path = dst_path == "/" ? "/" + link.name : dst_path + "/" + link.name;
      switch (link.link_type) {
        case h5::LinkType::soft: h5::create_soft_link(link.soft_target, dst, link.name); continue;
        case h5::LinkType::external:
          h5::create_external_link(link.external_file, link.external_object, dst, link.name);
          continue;
        case h5::LinkType::hard: break;
        default: continue;  // user-defined link types: nothing h5dig can recreate
      }
      if (auto it = seen.find(link.address); it != seen.end()) {
        h5::create_hard_link(dst, it->second, dst, link.name);
        continue;
      }
      seen[link.address] = out_path;
      if (link.object_type == h5::ObjectType::group) {
        h5::Group sg = src.open_group(link.name);
        h5::Group dg = h5::create_group_like(sg, dst, link.name);
        h5::copy_attributes(sg, dg);
        repack_group(sg, dg, out_path);
      } else if (link.object_type == h5::ObjectType::dataset) {
        repack_dataset(src, link.name, dst, link.name);
      } else {
        h5::copy_object(src, link.name, dst, link.name);  // committed datatypes
      }
    }
  }
};

std::uint64_t total_bytes(const h5::Group& g, const std::string& object) {
  // Progress total: the dataset's bytes, or 0 (unknown) for a group walk.
  if (object.empty() || g.object_type(object) != h5::ObjectType::dataset) return 0;
  h5::Dataset d = g.open_dataset(object);
  return d.space().element_count() * d.type().size();
}

}  // namespace

RepackStats run_repack(const std::string& in, const std::string& out, const RepackOptions& options, std::ostream& log) {
  h5::init();
  auto t0 = std::chrono::steady_clock::now();
  ObjectPath src_path = split_object_path(in);
  auto [out_file, out_object] = split_output_path(out);
  std::error_code ec;
  if (std::filesystem::exists(out_file, ec) && std::filesystem::equivalent(out_file, src_path.file, ec))
    throw_usage(fmt::format("{}: the output is the input file; write to another file", out_file.string()));
  h5::File src = h5::File::open(src_path.file);
  h5::Group src_root = src.root();
  std::string src_object = src_path.object;
  while (!src_object.empty() && src_object.back() == '/') src_object.pop_back();
  if (!src_object.empty() && !src_root.exists(src_object))
    throw Error(ErrorKind::io, fmt::format("{}: no object {}", src_path.file, src_object));
  h5::ObjectType kind = src_object.empty() ? h5::ObjectType::group : src_root.object_type(src_object);
  if (kind != h5::ObjectType::group && kind != h5::ObjectType::dataset)
    throw_usage(fmt::format("{}/{}: not a dataset or group", src_path.file, src_object));

  util::AtomicOutput output(out_file);
  RepackStats stats;
  {
    h5::File dst = h5::File::create(output.temp_path());
    h5::Group dst_root = dst.root();
    Repacker rp(options);
    rp.in_file = src_path.file;
    util::Progress progress("repack", total_bytes(src_root, src_object));
    rp.progress = &progress;
    rp.walking = kind != h5::ObjectType::dataset;
    if (kind == h5::ObjectType::dataset) {
      std::string name = out_object.empty() ? src_object : out_object;
      rp.repack_dataset(src_root, src_object, dst_root, name);
    } else if (out_object.empty()) {
      h5::Group sg = src_object.empty() ? src.root() : src_root.open_group(src_object);
      h5::copy_attributes(sg, dst_root);
      rp.repack_group(sg, dst_root, "/");
    } else {
      h5::Group sg = src_root.open_group(src_object);
      h5::Group dg = h5::create_group_like(sg, dst_root, out_object);
      h5::copy_attributes(sg, dg);
      rp.repack_group(sg, dg, "/" + out_object);
    }
    rp.session.flush();
    progress.finish();
    stats = rp.stats;
    stats.stored_bytes = rp.session.bytes_written();
    dst.close();
  }
  output.commit();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log << fmt::format("{} -> {}: {} dataset{} rewritten ({} -> {}), {} copied as stored, {:.2f} s ({}/s)\n", in, out,
                     stats.datasets, stats.datasets == 1 ? "" : "s", util::format_bytes(double(stats.logical_bytes)),
                     util::format_bytes(double(stats.stored_bytes)), stats.copied, stats.seconds,
                     util::format_bytes(stats.logical_bytes / std::max(stats.seconds, 1e-9)));
  return stats;
}

}  // namespace h5dig::io
