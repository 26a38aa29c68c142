// ChunkWriter: write a chunked dataset the way detectors do — assemble chunks in
// memory, compress them on N threads with h5dig's codecs, hand finished chunks to
// HDF5 with H5Dwrite_chunk (direct chunk write) from one serial stage.
//
// Threads and HDF5. A WriteSession owns the encoder threads and the ordered
// queue of chunks waiting to be written; share one session across every dataset
// a command writes (an archive of 10,000 small files uses one session, not 10,000
// thread pools). HDF5 is entered only from the thread that calls the session's
// and writers' members (the "owner" thread): H5Dcreate, H5Dset_extent and
// H5Dwrite_chunk all run there, in the order chunks were completed. Encoder
// threads never touch HDF5. Neither class is thread-safe: use both from the
// owner thread only.
//
// Memory. Only chunks still incomplete are held. How many are incomplete at once
// depends on the write order: frames {1,H,W} into chunks {1,H,W} hold one chunk;
// into chunks {N,1,W} they hold every chunk of a whole N-frame slab. The writer
// states this up front (plan_memory, from the block shape the caller declares)
// and refuses with Error(usage) when it is over `memory_limit`; the same limit is
// enforced while writing if the blocks arrive in another order. Complete chunks
// wait for an encoder in a bounded queue (`max_in_flight`): a producer faster than
// the encoders blocks in write() until a chunk has been written.
//
// Usage (one dataset):
//   io::WriteSession session({.threads = 4});
//   io::DatasetSpec spec{.name = "data", .type = h5::predefined(h5::Predefined::std_u16le),
//                        .shape = {0, 512, 512},
//                        .maxshape = {h5::kUnlimited, 512, 512}, .chunks = {1, 512, 512},
//                        .filters = codec::parse_filter_specs("shuffle,gzip=4").filters};
//   auto w = io::ChunkWriter::create(session, file.root(), spec, {.block_shape = {1, 512, 512}});
//   for (...) w.append(frame_shape, frame_bytes);   // extends the unlimited dim
//   w.finish();                                     // flushes, sets the extent, waits
// Usage (many small 1-D datasets, e.g. an archive):
//   io::WriteSession session;                      // once
//   const h5::Id u8le = h5::predefined(h5::Predefined::std_u8le);
//   for (file : files) {
//     auto w = io::ChunkWriter::create(session, group, {.name = n, .type = u8le,
//                                       .shape = {size}, .chunks = {c}, .filters = f});
//     w.write_all(bytes);          // or write({offset}, {count}, piece) as the file is read
//     w.finish(/*wait=*/false);    // the remaining chunks stay queued in the session
//   }
//   session.flush();                // writes everything still queued; throws the first error
//
// Errors: Error(usage) for blocks outside the dataset, wrong sizes, or memory over
// the limit; Error(io) for HDF5 failures (naming the dataset and chunk);
// encoder failures are rethrown on the owner thread with the chunk's coordinates.
// After an error the session is failed: destroy it (queued chunks are dropped;
// the caller deletes its temporary file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "h5dig/codec/filter_spec_parse.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/h5/create.hpp"
#include "h5dig/h5/objects.hpp"

namespace h5dig::io {

inline constexpr std::uint64_t kDefaultMemoryLimit = std::uint64_t{1} << 30;  // 1 GiB

class ChunkWriter;

class WriteSession {
 public:
  struct Options {
    std::size_t threads = 0;          // encoder threads; 0 = exec::default_threads()
    std::size_t max_in_flight = 0;    // chunks encoded or queued, not yet written; 0 = 2 × threads + 2
  };
  // Starts the encoder threads. Throws std::system_error if threads cannot start.
  explicit WriteSession(Options options);
  WriteSession() : WriteSession(Options{}) {}
  // Drops queued chunks (without writing them) and joins the threads. Never throws.
  ~WriteSession();
  WriteSession(const WriteSession&) = delete;
  WriteSession& operator=(const WriteSession&) = delete;

  std::size_t threads() const noexcept;
  std::size_t max_in_flight() const noexcept;
  // Writes every chunk still queued, from any writer, waiting for the encoders.
  // Throws the first error (Error naming dataset and chunk).
  void flush();
  // Chunks written and their stored (encoded) bytes so far.
  std::uint64_t chunks_written() const noexcept;
  std::uint64_t bytes_written() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class ChunkWriter;
};

// What to create. `type` is the stored element type; blocks given to write()
// hold elements in that type's byte representation (no conversion happens:
// H5Dwrite_chunk stores bytes as given).
struct DatasetSpec {
  std::string name;                        // path under the parent; intermediate groups created
  h5::Id type = h5::kInvalidId;            // borrowed, e.g. h5::predefined(...) or a dataset's type().id()
  std::vector<h5::Size> shape;              // initial extent (0 along a dim that grows by append)
  std::vector<h5::Size> maxshape;           // empty = shape; h5::kUnlimited = unlimited
  std::vector<h5::Size> chunks;
  std::vector<codec::FilterSpec> filters;  // user-level specs (parse_filter_specs); resolved for the type
  codec::DeflateEngine deflate = codec::DeflateEngine::libdeflate;
  std::vector<std::byte> fill_value;       // empty = zeros (HDF5's default); else one element
  bool track_times = false;                // h5py's choice: no Modified line in h5ls
};

struct WriteOptions {
  // The shape of the blocks write() will receive, in row-major order of blocks,
  // for the up-front memory plan. Empty = one chunk at a time.
  std::vector<h5::Size> block_shape;
  std::uint64_t memory_limit = kDefaultMemoryLimit;
};

// Memory the writer needs for a write order: chunks held incomplete at once,
// plus the chunks in flight to the encoders.
struct MemoryPlan {
  std::uint64_t open_chunks = 0;
  std::uint64_t chunk_bytes = 0;
  std::uint64_t in_flight_chunks = 0;
  std::uint64_t total_bytes() const noexcept { return (open_chunks + 2 * in_flight_chunks) * chunk_bytes; }
  // "1024 incomplete chunks of 400 KB (410 MB) + 6 in flight"
  std::string describe() const;
};

// Plans the memory for writing blocks of `block_shape` (row-major order of
// blocks) into a dataset of `shape` chunked as `chunks`. Pure; thread-safe.
MemoryPlan plan_memory(std::span<const h5::Size> shape, std::span<const h5::Size> chunks,
                       std::span<const h5::Size> block_shape, std::size_t element_size, std::size_t in_flight);

class ChunkWriter {
 public:
  // Creates `spec.name` under `parent` (filters resolved for the type and
  // recorded as HDF5 would: see codec/filter_spec_parse.hpp). Throws
  // Error(usage) for inconsistent shapes, chunks larger than a fixed dimension,
  // a filter unsuited to the type, or a memory plan over the limit.
  static ChunkWriter create(WriteSession& session, const h5::Group& parent, const DatasetSpec& spec,
                            const WriteOptions& options = {});
  // Writes into an existing chunked dataset, with the filters it records.
  static ChunkWriter open(WriteSession& session, h5::Dataset dataset,
                          codec::DeflateEngine deflate = codec::DeflateEngine::libdeflate,
                          const WriteOptions& options = {});

  ChunkWriter(ChunkWriter&&) noexcept;
  ChunkWriter& operator=(ChunkWriter&&) noexcept;
  // Abandons the dataset if finish() was not called: incomplete chunks are
  // dropped, queued ones stay in the session. Never throws.
  ~ChunkWriter();

  // Copies the block at element `offset` of `shape` (row-major bytes of the
  // stored type) into the chunks it touches; complete chunks go to the encoders.
  // Blocks must not overlap. Extends unlimited dimensions as needed. Blocks when
  // too many chunks are in flight.
  void write(std::span<const h5::Size> offset, std::span<const h5::Size> shape, std::span<const std::byte> data);
  // write() at the current end of dimension 0 (frames into a growing stack).
  void append(std::span<const h5::Size> shape, std::span<const std::byte> data);
  // The whole (fixed-shape) dataset at once.
  void write_all(std::span<const std::byte> data);
  // Writes the incomplete chunks (missing elements are the fill value), sets the
  // final extent, and with `wait` writes every queued chunk of the session.
  void finish(bool wait = true);

  const std::vector<h5::Size>& extent() const noexcept;
  const std::string& name() const noexcept;
  const MemoryPlan& plan() const noexcept;
  // Filters as recorded in the file (after set_local).
  const std::vector<codec::FilterSpec>& filters() const noexcept;

  struct Impl;

 private:
  explicit ChunkWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace h5dig::io
