#include "h5dig/lab/bench_write.hpp"

#include <fmt/format.h>

#include <chrono>
#include <sstream>

#include <unistd.h>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/create.hpp"
#include "h5dig/h5/filters.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/lab/make.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::lab {

void run_bench_write(const BenchWriteOptions& o, std::ostream& out) {
  if (o.shape.size() != 2 || o.frames == 0) throw_usage("bench write: --frames >= 1 and --shape ROWS,COLUMNS");
  h5::init();
  const h5::Size h = o.shape[0], w = o.shape[1], n = o.frames;
  auto parsed = codec::parse_filter_specs(o.filter);
  auto filters = codec::resolve_filter_specs(parsed.filters, 2);
  // Frames generated up front so both writers see the same bytes and neither
  // pays for the generator.
  std::uint64_t frame_elems = h * w;
  if (n * frame_elems * 2 > (std::uint64_t{2} << 30)) throw_usage("bench write: keep the frames under 2 GiB");
  std::vector<std::uint16_t> frames(n * frame_elems);
  for (h5::Size j = 0; j < n; ++j) poisson_frame(1, j, o.mean, frames.data() + j * frame_elems, frame_elems);
  std::filesystem::path dir = o.dir.empty() ? std::filesystem::temp_directory_path() : o.dir;
  const double mb = double(n * frame_elems * 2) / 1e6;
  using Clock = std::chrono::steady_clock;
  struct Row {
    std::string label;
    double secs;
    std::uint64_t stored;
  };
  std::vector<Row> rows;
  std::vector<h5::Size> chunks = {1, h, w}, count = {1, h, w};
  // HDF5's own path: H5Dwrite frame by frame; HDF5 filters each chunk on this thread.
  {
    auto path = dir / fmt::format("h5dig-bench-write-hdf5-{}.h5", ::getpid());
    auto t0 = Clock::now();
    std::uint64_t stored = 0;
    {
      h5::File f = h5::File::create(path);
      h5::ChunkedCreate c;
      c.name = "data";
      c.file_type = h5::predefined(h5::Predefined::std_u16le);
      c.dims = {n, h, w};
      c.chunks = chunks;
      c.filters = filters;
      for (auto& f2 : c.filters)
        if (f2.id >= 256 && !h5::filter_has_plugin(f2.id))
          throw_usage(fmt::format("bench write: HDF5 has no plugin for {} to compare with", f2.name));
      h5::Dataset ds = h5::create_chunked_dataset(f.root(), c);
      h5::Dataspace fs = ds.space();
      h5::Dataspace ms = h5::Dataspace::simple(count);
      for (h5::Size j = 0; j < n; ++j) {
        std::vector<h5::Size> start = {j, 0, 0};
        fs.select_hyperslab(start, count);
        ds.write(h5::predefined(h5::Predefined::native_uint16), ms.id(), fs.id(), frames.data() + j * frame_elems);
      }
      stored = ds.storage_size();
      f.close();
    }
    rows.push_back({"HDF5 H5Dwrite, 1 thread (as h5py)", std::chrono::duration<double>(Clock::now() - t0).count(),
                    stored});
    std::filesystem::remove(path);
  }
  {
    auto path = dir / fmt::format("h5dig-bench-write-h5dig-{}.h5", ::getpid());
    auto t0 = Clock::now();
    std::uint64_t stored = 0;
    std::size_t threads = 0;
    {
      h5::File f = h5::File::create(path);
      io::WriteSession session({.threads = o.threads});
      threads = session.threads();
      io::DatasetSpec spec;
      spec.name = "data";
      spec.type = h5::predefined(h5::Predefined::std_u16le);
      spec.shape = {n, h, w};
      spec.chunks = chunks;
      spec.filters = parsed.filters;
      spec.deflate = parsed.deflate;
      io::WriteOptions wo;
      wo.block_shape = count;
      auto writer = io::ChunkWriter::create(session, f.root(), spec, wo);
      for (h5::Size j = 0; j < n; ++j) {
        std::vector<h5::Size> start = {j, 0, 0};
        writer.write(start, count, std::as_bytes(std::span(frames).subspan(j * frame_elems, frame_elems)));
      }
      writer.finish();
      stored = session.bytes_written();
      f.close();
    }
    rows.push_back({fmt::format("h5dig ChunkWriter, {} threads", threads),
                    std::chrono::duration<double>(Clock::now() - t0).count(), stored});
    std::filesystem::remove(path);
  }
  out << fmt::format("{} frames {}x{} uint16 (Poisson mean {}, {:.0f} MB), filter {}, chunks {{1,{},{}}}\n\n", n, h,
                     w, o.mean, mb, codec::format_filter_specs(parsed.filters, parsed.deflate), h, w);
  out << fmt::format("{:<36} {:>9} {:>9} {:>16} {:>9}\n", "writer", "time", "MB/s", "allocated bytes", "speed-up");
  for (const auto& r : rows)
    out << fmt::format("{:<36} {:>7.2f} s {:>9.0f} {:>16} {:>8.2f}x\n", r.label, r.secs, mb / r.secs, r.stored,
                       rows[0].secs / r.secs);
}

}  // namespace h5dig::lab
