// HDF5 as a file system: zip a directory tree into an HDF5 file, extract it,
// verify it, list it.
//
// Layout (the talk's h5zip layout, so `h5ls -r`, `h5dig cat` and plain h5py read
// it): the root group is the zipped directory; a directory is a group; a regular
// file is a 1-D unsigned-byte dataset holding its bytes, chunked, deflate
// filter; a symlink is an HDF5 soft link whose value is the link text (never
// resolved by h5dig); hard-linked files are one dataset with several HDF5 hard
// links. Attributes: `mode` (uint32, permission bits), `mtime_ns` (int64,
// nanoseconds since the epoch) on groups and datasets, `crc32` (uint32, zlib
// CRC-32 of the content) on datasets. Archives without attributes (made by the
// talk's script) extract with default modes. See docs/archive.md.
//
// All functions enter HDF5 from the calling thread only; compression,
// decompression and file reads/writes run on `threads` workers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace h5dig::archive {

// Files above this size are split into chunks of at most this many bytes
// (each file's chunk is sized so the last chunk is nearly full).
inline constexpr std::uint64_t kMaxChunkBytes = 1u << 20;

struct ZipOptions {
  int level = 6;                      // deflate level 0..9 (0: store), as H5Pset_deflate takes
  std::size_t threads = 0;            // 0: all hardware threads
  std::vector<std::string> excludes;  // fnmatch globs on names or relative paths
  bool progress = true;               // progress bar when stderr is a terminal
  // Called on the zip thread before each piece of a file's content is read
  // (offset 0: before the file is opened). For tests, which change files
  // while zip reads them; unset otherwise.
  std::function<void(const std::string& path, std::uint64_t offset)> before_read;
};

struct ZipStats {
  std::uint64_t directories = 0, files = 0, symlinks = 0, hardlinks = 0;
  std::uint64_t bytes_in = 0;       // file content bytes
  std::uint64_t bytes_stored = 0;   // chunk bytes written
  std::uint64_t unreadable = 0;     // entries left out because they could not be read
};

// Archives `dirs` into `archive` (written to a temporary name beside it and
// renamed on success). One directory: its contents are the root group. Several:
// each becomes a group named after its last component; a file hard-linked
// across them is stored once, like hard links within one.
//
// Like tar, zip keeps going past entries it cannot read: a file that cannot be
// opened or read, or that vanished since the walk, a symlink that cannot be read,
// a directory that cannot be opened or listed (with everything under it), and a
// file whose size, mtime or ctime changed while it was being read (a member is
// always one consistent reading of its file, never a torn or padded one) are
// each left out with one line on `warn` ("h5dig: zip: PATH: REASON; not
// archived") and counted in `unreadable`; the archive holds everything else.
// The caller turns unreadable > 0 into exit 1. Skipped sockets, FIFOs and
// devices are reported on `warn` but not counted.
//
// Throws Error(usage) for bad options or a DIR that is not a directory,
// Error(io) if a DIR cannot be listed or the archive cannot be written (then no
// archive and no temporary file is left).
ZipStats run_zip(const std::filesystem::path& archive, const std::vector<std::filesystem::path>& dirs,
             const ZipOptions& options, std::ostream& warn);

struct UnzipOptions {
  std::filesystem::path directory = ".";  // extraction root (created if missing)
  std::size_t threads = 0;
  std::vector<std::string> members;       // archive paths to extract ("" or none: all)
  bool progress = true;
};

struct UnzipStats {
  std::uint64_t directories = 0, files = 0, symlinks = 0, hardlinks = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t refused = 0;  // unsafe members not extracted
  std::uint64_t failed = 0;   // members that could not be extracted (bad data, I/O)
};

// Extracts `archive` under `options.directory`. Never writes outside it:
// members named "." / "..", absolute member arguments, and anything that would
// go through a symlink are refused with a line on `warn`, and the rest is still
// extracted. Restores modes, mtimes (ns), symlinks and hard links. Checks the
// crc32 attribute of every file. The caller turns refused/failed > 0 into exit 1.
// Throws Error(io) if the archive cannot be opened.
UnzipStats run_unzip(const std::filesystem::path& archive, const UnzipOptions& options, std::ostream& warn);

struct VerifyOptions {
  std::optional<std::filesystem::path> tree;  // compare against this directory
  std::size_t threads = 0;
  bool progress = true;
};

// Decodes every archived file and checks its crc32; with `tree`, also compares
// the archive with the directory (missing, extra, changed content / mode /
// mtime / link target / type). Writes one line per difference to `out` and
// returns their number (0: identical). Throws Error(io) if the archive cannot
// be opened.
std::uint64_t run_verify(const std::filesystem::path& archive, const VerifyOptions& options, std::ostream& out);

// Lists the archive like `tar -tv`: mode string, size, mtime, name (with
// "-> target" for symlinks and "link to NAME" for hard links).
void run_ls_archive(const std::filesystem::path& archive, std::ostream& out);

struct BenchZipOptions {
  std::size_t threads = 0;
  int level = 6;
  int repeat = 3;
  std::string talk = "../shared/seed/hdf5-talk.md";  // the talk, for its h5zip script ($H5DIG_TALK overrides)
  bool markdown = false;             // print a markdown table (for docs/benchmarks.md)
  std::filesystem::path work_dir;    // scratch space ("" = $TMPDIR)
  std::string python = "/usr/bin/python3";
  std::string h5ar = "/usr/bin/h5ar";
};

// Zips and unzips `dir` with h5dig, the talk's h5py script and h5ar, side by
// side in one run; prints medians, archive sizes and ratios to `out`.
void run_bench_zip(const std::filesystem::path& dir, const BenchZipOptions& options, std::ostream& out);

}  // namespace h5dig::archive
