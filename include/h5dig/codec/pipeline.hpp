// Filter pipelines: the bytes of HDF5 chunks, encoded and decoded by h5dig itself.
//
// A FilterSpec is what the file says (id, flags, cd_values, name), as read from a
// dataset creation property list by h5::read_filter_specs. A Pipeline resolves the
// specs against the codec registry once; it is immutable and shared by all
// threads. Each thread brings its own Workspace (codec contexts and scratch
// buffers, reused across chunks).
//
// The codec layer never calls HDF5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace h5dig::codec {

// HDF5 filter ids (H5Zpublic.h and the registered plugin ids).
inline constexpr unsigned kDeflateId = 1;
inline constexpr unsigned kShuffleId = 2;
inline constexpr unsigned kFletcher32Id = 3;
inline constexpr unsigned kSzipId = 4;
inline constexpr unsigned kNbitId = 5;
inline constexpr unsigned kScaleOffsetId = 6;
inline constexpr unsigned kLzoId = 305;     // PyTables' LZO
inline constexpr unsigned kBzip2Id = 307;   // PyTables' bzip2, also the HDF Group plugin
inline constexpr unsigned kLzfId = 32000;   // h5py's LZF
inline constexpr unsigned kBloscId = 32001;
inline constexpr unsigned kLz4Id = 32004;
inline constexpr unsigned kBitshuffleId = 32008;
inline constexpr unsigned kZstdId = 32015;

// H5Z_FLAG_OPTIONAL: the filter may be skipped for a chunk (mask bit set).
inline constexpr unsigned kFlagOptional = 0x0001;

struct FilterSpec {
  unsigned id = 0;
  unsigned flags = 0;                 // H5Z_FLAG_* as stored
  std::vector<unsigned> cd_values;    // client data, as stored in the file
  std::string name;                   // as stored ("deflate", "shuffle", ...), may be empty
  bool optional() const noexcept { return (flags & kFlagOptional) != 0; }
};

class Workspace;

// One encoded chunk: bytes live in the Workspace until its next use.
struct EncodedChunk {
  std::span<const std::byte> bytes;
  std::uint32_t filter_mask = 0;  // bit i set: filter i was skipped for this chunk
};

// Which deflate implementation encodes `gzip=N` chunks. Both produce standard zlib
// streams any reader decodes (decoding always uses libdeflate); zlib reproduces
// h5py's bytes exactly (e.g. the talk's 272,836-byte stack), libdeflate is faster.
enum class DeflateEngine { libdeflate, zlib };

class Pipeline {
 public:
  // Resolves `filters` (in pipeline order, as HDF5 lists them) for chunks whose
  // elements are `element_size` bytes; a deflate filter encodes with `deflate`.
  // Throws Error(unsupported) "unsupported filter NAME (id N)" for a filter
  // h5dig has no codec for.
  Pipeline(std::vector<FilterSpec> filters, std::size_t element_size,
           DeflateEngine deflate = DeflateEngine::libdeflate);
  ~Pipeline();
  Pipeline(Pipeline&&) noexcept;
  Pipeline& operator=(Pipeline&&) noexcept;

  bool empty() const noexcept;
  const std::vector<FilterSpec>& filters() const noexcept;
  std::size_t element_size() const noexcept;

  // Decodes one stored chunk into `out`, whose size is the chunk's nominal size
  // (chunk elements × element size): the result must fill it exactly. Filters
  // whose bit is set in `filter_mask` are skipped. Throws Error(corrupt) naming
  // the filter ("deflate: ...") on bad data; never writes past `out`, never
  // allocates by a size read from the data. Thread-safe with distinct Workspaces.
  void decode(std::span<const std::byte> stored, std::span<std::byte> out, std::uint32_t filter_mask,
              Workspace& ws) const;

  // Encodes one chunk of nominal size. An optional filter whose output would not
  // be smaller, or whose writer's filter fails on this chunk (h5py's LZF, HDF5's
  // szip when the stream does not fit in the chunk's size), is skipped (its mask
  // bit set), as HDF5 itself does for optional filters that fail. Thread-safe
  // with distinct Workspaces.
  EncodedChunk encode(std::span<const std::byte> raw, Workspace& ws) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Per-thread state: codec contexts (libdeflate, zstd) and scratch buffers.
// Move-only; not thread-safe; cheap to keep for the life of a worker.
class Workspace {
 public:
  Workspace();
  ~Workspace();
  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;

  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

// Registers the codecs compiled into h5dig. Idempotent, thread-safe; Pipeline's
// constructor calls it, so explicit calls are only needed to query the registry.
void register_builtin_codecs();

// Whether h5dig has a codec for this filter id.
bool is_supported(unsigned filter_id);

// HDF5's name for a filter id ("deflate", "shuffle", "fletcher32", "szip",
// "nbit", "scaleoffset", "lzo", "bzip2", "lzf", "blosc", "lz4", "bitshuffle",
// "zstd"), or "" if unknown.
std::string filter_name(unsigned filter_id);

}  // namespace h5dig::codec
