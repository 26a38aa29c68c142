// ParallelReader: a chunked dataset (or a hyperslab of it) at the speed of the
// decompressors, on every core.
//
// HDF5 holds one global lock around everything, decompression included, so
// H5Dread on a compressed dataset uses one core. ParallelReader maps the chunks
// once (chunk::map_chunks), then runs an exec pipeline: one serial stage reads
// each needed chunk's stored bytes (pread at the mapped offset, or H5Dread_chunk),
// N workers decode them through codec::Pipeline (honouring each chunk's filter
// mask) and copy the selected part into the caller's buffer. Chunks never
// written are filled with the dataset's fill value. At most ~2 chunks per thread
// are in flight, whatever the dataset's size.
//
// The output holds the selected elements in the dataset's stored type and byte
// order, C order: exactly the bytes of h5py's `d[sel].tobytes()`.
//
// Contiguous datasets are read with pread at H5Dget_offset; compact, virtual,
// external and scalar datasets, and filters h5dig has no codec for, are read with
// H5Dread (one thread) after a one-line note. Variable-length types are refused
// (their stored bytes are heap references, not data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "h5dig/h5/numpy_dtype.hpp"
#include "h5dig/io/selection.hpp"

namespace h5dig::util { class Progress; }

namespace h5dig::io {

// How the serial stage fetches a chunk's stored bytes.
enum class RawSource {
  pread,  // pread at the ChunkMap's byte offset (no HDF5 call per chunk)
  hdf5,   // H5Dread_chunk (the HDF5 lock held once per chunk)
};

struct ReadOptions {
  std::size_t threads = 0;                 // decode threads; 0 = all cores
  RawSource raw_source = RawSource::pread;
  util::Progress* progress = nullptr;      // advanced by output bytes; thread-safe
  std::ostream* notes = nullptr;           // where fallback notes go; nullptr = std::cerr
};

struct ReadStats {
  std::uint64_t bytes = 0;          // output bytes
  std::uint64_t stored_bytes = 0;   // bytes read from the file for chunks
  std::uint64_t chunks = 0;         // allocated chunks read and decoded
  std::uint64_t chunks_filled = 0;  // unallocated chunks filled with the fill value
  std::size_t threads = 1;
  double seconds = 0;
  std::string method;               // "chunked (pread)", "contiguous (pread)", "H5Dread"
};

// The stored element type, as NumPy would call it.
struct ElementType {
  std::size_t size = 0;
  // h5py's dtype as a .npy descr ('<u2', '>f8', '|S16', '|b1', a structured
  // list) and the array element's dims h5py appends to the shape
  // (h5/numpy_dtype.hpp).
  std::string npy_descr;
  std::vector<std::uint64_t> npy_subshape;
  // Parts of an element h5py shows otherwise than stored (null-terminated and
  // space-padded strings, partial-precision integers): as_h5py() rewrites them.
  std::vector<h5::ValueFix> value_fixes;
  std::string summary;    // "uint16 LE"

  // Rewrites whole elements read by ParallelReader as h5py reads them: what
  // follows a null terminator and a space-padded string's padding become NULs,
  // integers with fewer bits than their size are shifted and sign-extended
  // (h5::apply_value_fixes). The read itself gives the stored bytes, which
  // --verify compares with H5Dread's; every output meant as h5py's values
  // (read's files, Python's arrays, the server's data) goes through this.
  void as_h5py(std::span<std::byte> elements) const { h5::apply_value_fixes(value_fixes, size, elements); }
};

// Result of the decode-only kernel (bench): all allocated chunks pre-read into
// memory, then decoded on N threads with no I/O, no scatter and no fill.
struct KernelStats {
  std::uint64_t chunks = 0;
  std::uint64_t decoded_bytes = 0;
  std::uint64_t stored_bytes = 0;
  double seconds = 0;  // decode only, pre-read excluded
};

class ParallelReader {
 public:
  // Opens DATASET in FILE (read-only) and decides how to read it. Throws
  // Error(io) for a missing file or dataset, Error(unsupported) for a
  // variable-length type. Enters HDF5: not thread-safe.
  ParallelReader(const std::string& file, const std::string& dataset);
  ~ParallelReader();
  ParallelReader(const ParallelReader&) = delete;
  ParallelReader& operator=(const ParallelReader&) = delete;

  const std::string& file() const noexcept;
  const std::string& dataset() const noexcept;
  // "FILE/DATASET" for messages.
  std::string where() const;
  const std::vector<std::uint64_t>& shape() const noexcept;
  const ElementType& element_type() const noexcept;
  // The chunk shape of a chunked dataset; empty otherwise.
  const std::vector<std::uint64_t>& chunk_shape() const noexcept;
  // Bytes `sel` produces.
  std::uint64_t output_bytes(const Selection& sel) const;
  // Allocated chunks in the whole dataset (maps chunks on first use); 0 unless chunked.
  std::uint64_t allocated_chunks();
  // One line: layout, filters, and whether h5dig decodes it or HDF5 does.
  std::string describe() const;

  // Reads `sel` into `out` (exactly output_bytes(sel) bytes). Throws
  // Error(usage) if `sel` is outside the shape or `out` has the wrong size;
  // Error(corrupt) naming file, dataset, chunk coordinates and filter for a
  // chunk that fails to decode; Error(io) for read errors. On error `out` holds
  // partial data. Not thread-safe (one read at a time per reader).
  ReadStats read(const Selection& sel, std::span<std::byte> out, const ReadOptions& options = {});

  // Whether read() with `options` calls HDF5 (H5Dread for compact, virtual,
  // scalar and fallback datasets; H5Dread_chunk; mapping the chunks on the
  // first read). When false, read() only preads and decodes, so a caller that
  // serialises HDF5 (h5dig serve) may run it outside its HDF5 lock; call
  // allocated_chunks() under the lock first to map the chunks.
  bool read_enters_hdf5(const ReadOptions& options = {}) const;

  // H5Dread of `sel` with the stored type (no conversion): the reference
  // ParallelReader must match. Same preconditions as read().
  void read_hdf5(const Selection& sel, std::span<std::byte> out);

  // The practical speed limit: decode all allocated chunks on `threads`
  // threads from memory (the pre-read is not timed). With `out` empty each
  // chunk is decoded into a per-thread scratch buffer that stays in cache, so
  // no decoded byte reaches memory; otherwise `out` must hold
  // kernel_output_bytes() and the k-th allocated chunk (in C order of the grid)
  // is decoded to byte k * chunk bytes: the memory traffic of a whole read
  // without its I/O. Throws Error(usage) unless the dataset is chunked and
  // h5dig has its codecs, or if `out` has the wrong size.
  KernelStats decode_kernel(std::size_t threads, std::span<std::byte> out = {});
  // Bytes decode_kernel writes into `out`: allocated chunks x chunk bytes.
  std::uint64_t kernel_output_bytes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace h5dig::io
