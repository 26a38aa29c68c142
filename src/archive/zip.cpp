// zip: walk the tree, then one pass over the entries in walk order on this
// thread (every HDF5 call: groups, links, datasets, attributes), with file
// chunks handed to io::ChunkWriter: one WriteSession for the whole archive
// deflates them on N threads and writes them with H5Dwrite_chunk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include "archive/content.hpp"
#include "archive/tree_walk.hpp"
#include "h5dig/archive/archive.hpp"
#include "h5dig/codec/pipeline.hpp"
#include "h5dig/error.hpp"
#include "h5dig/h5/archive.hpp"
#include "h5dig/io/chunk_writer.hpp"
#include "h5dig/util/interrupt_cleanup.hpp"
#include "h5dig/util/progress.hpp"

namespace h5dig::archive {

using detail::EntryKind;
using detail::FsEntry;

namespace {

// Bytes per chunk for a file of `size` bytes: the whole file up to
// kMaxChunkBytes, else equal chunks of at most kMaxChunkBytes (so the last
// chunk is nearly full and padding costs at most a few bytes).
std::uint64_t chunk_bytes_for(std::uint64_t size) {
  if (size <= kMaxChunkBytes) return size;
  std::uint64_t n = (size + kMaxChunkBytes - 1) / kMaxChunkBytes;
  return (size + n - 1) / n;
}

struct Source {
  std::string path;  // on disk, for reading and messages
  FsEntry entry;
  std::string h5_path;  // absolute path of the object in the archive
};

// A unique temporary name beside `target`; the file exists (empty) afterwards.
std::filesystem::path make_temp_beside(const std::filesystem::path& target) {
  std::string pattern = target.string() + ".tmp-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw_io(fmt::format("{}: cannot create temporary file: {}", pattern, std::strerror(errno)));
  // mkstemp makes the file 0600; an archive gets the usual 0666 & ~umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  return pattern;
}

void read_exact(const std::string& path, std::uint64_t offset, std::byte* out, std::size_t length) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw_io(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw_io(fmt::format("{}: read failed: {}", path, std::strerror(e)));
    }
    if (n == 0) {
      ::close(fd);
      throw_io(fmt::format("{}: file shrank while being archived (expected {} bytes)", path, offset + length));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

std::string basename_of(const std::filesystem::path& dir) {
  std::string s = dir.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  std::string name = std::filesystem::path(s).filename().string();
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(dir, ec);
    name = canonical.filename().string();
  }
  return name;
}

}  // namespace

ZipStats zip(const std::filesystem::path& archive, const std::vector<std::filesystem::path>& dirs,
             const ZipOptions& options, std::ostream& warn) {
  if (dirs.empty()) throw_usage("zip: no directory given");
  if (options.level < 0 || options.level > 9) throw_usage(fmt::format("zip: level {} is not in 0..9", options.level));
  for (const auto& d : dirs) {
    struct stat st;
    if (::stat(d.c_str(), &st) != 0) throw_io(fmt::format("{}: {}", d.string(), std::strerror(errno)));
    if (!S_ISDIR(st.st_mode)) throw_usage(fmt::format("{}: not a directory", d.string()));
  }
  const unsigned threads = detail::resolve_threads(options.threads);

  std::filesystem::path temp = make_temp_beside(archive);
  struct TempGuard {
    std::filesystem::path path;
    util::InterruptCleanup on_interrupt{path.string()};  // Ctrl-C runs no destructor
    bool keep = false;
    ~TempGuard() {
      if (!keep) ::unlink(path.c_str());
    }
  } guard{temp};
  struct stat temp_st;
  if (::stat(temp.c_str(), &temp_st) != 0) throw_io(fmt::format("{}: {}", temp.string(), std::strerror(errno)));

  // ---- walk (the archive being written is never archived, even if inside the tree)
  detail::WalkOptions walk_options;
  walk_options.excludes = options.excludes;
  walk_options.skip_dev = temp_st.st_dev;
  walk_options.skip_ino = temp_st.st_ino;
  std::vector<Source> sources;
  if (dirs.size() == 1) {
    std::string root = dirs[0].string();
    for (auto& e : detail::walk_tree(root, walk_options, warn)) {
      Source s;
      s.path = e.rel.empty() ? root : (root.back() == '/' ? root + e.rel : root + "/" + e.rel);
      s.h5_path = "/" + e.rel;
      s.entry = std::move(e);
      sources.push_back(std::move(s));
    }
  } else {
    Source r;
    r.entry.kind = EntryKind::directory;
    r.entry.mode = 0;
    r.entry.mtime_ns = -1;  // no attributes on a synthetic root
    r.h5_path = "/";
    sources.push_back(std::move(r));
    std::set<std::string> names;
    for (const auto& d : dirs) {
      std::string top = basename_of(d);
      if (!names.insert(top).second) throw_usage(fmt::format("zip: two directories named {}", top));
      std::string root = d.string();
      std::size_t base = sources.size();
      for (auto& e : detail::walk_tree(root, walk_options, warn)) {
        Source s;
        s.path = e.rel.empty() ? root : (root.back() == '/' ? root + e.rel : root + "/" + e.rel);
        e.rel = e.rel.empty() ? top : top + "/" + e.rel;
        if (e.depth == 0) e.name = top;
        e.depth += 1;
        if (e.kind == EntryKind::hardlink) e.link_to += base;
        s.h5_path = "/" + e.rel;
        s.entry = std::move(e);
        sources.push_back(std::move(s));
      }
    }
  }

  ZipStats stats;
  std::uint64_t total_bytes = 0;
  for (const auto& s : sources)
    if (s.entry.kind == EntryKind::file) total_bytes += s.entry.size;

  // ---- the archive
  h5::PropList fapl = h5::archive_file_access_plist();
  h5::PropList fcpl = h5::archive_file_create_plist();
  h5::File file = h5::File::create(temp, fcpl.id(), fapl.id());
  h5::PropList empty_dcpl = h5::empty_dataset_plist();

  std::vector<codec::FilterSpec> filters;
  if (options.level > 0) {
    codec::FilterSpec deflate;
    deflate.id = codec::kDeflateId;
    deflate.flags = codec::kFlagOptional;  // as H5Pset_deflate records it: chunks that do not
                                           // shrink are stored raw, filter-mask bit 0 set
    deflate.cd_values = {static_cast<unsigned>(options.level)};
    deflate.name = "deflate";
    filters.push_back(deflate);
  }
  util::Progress progress("zip", total_bytes);
  const bool show_progress = options.progress;

  // One session (encoder threads + ordered write queue) for every file: this
  // thread reads the files and makes every HDF5 call; the session's workers
  // deflate the chunks; finished chunks are written with H5Dwrite_chunk.
  io::WriteSession::Options session_options;
  session_options.threads = threads;
  io::WriteSession session(session_options);
  std::vector<h5::Group> groups;  // the open group of each depth on the current path
  std::vector<std::byte> buffer;

  auto write_meta = [](const h5::Location& loc, const FsEntry& e) {
    h5::write_u32_attribute(loc, "mode", e.mode);
    h5::write_i64_attribute(loc, "mtime_ns", e.mtime_ns);
  };

  for (const Source& s : sources) {
    const FsEntry& e = s.entry;
    try {
      if (e.depth == 0) {
        groups.clear();
        groups.push_back(file.root());
        if (e.mtime_ns >= 0) write_meta(groups.back(), e);
        ++stats.directories;
        continue;
      }
      while (groups.size() > static_cast<std::size_t>(e.depth)) groups.pop_back();
      const h5::Group& parent = groups.back();
      switch (e.kind) {
        case EntryKind::directory: {
          h5::Group g = h5::create_child_group(parent, e.name);
          write_meta(g, e);
          groups.push_back(std::move(g));
          ++stats.directories;
          break;
        }
        case EntryKind::symlink:
          h5::make_soft_link(parent, e.name, e.target);
          ++stats.symlinks;
          break;
        case EntryKind::hardlink:
          h5::make_hard_link(file, sources[e.link_to].h5_path, parent, e.name);
          ++stats.hardlinks;
          break;
        case EntryKind::file: {
          std::uint32_t crc = 0;
          if (e.size == 0) {
            h5::Dataset ds = h5::create_byte_dataset(parent, e.name, 0, empty_dcpl);
            write_meta(ds, e);
            h5::write_u32_attribute(ds, "crc32", crc);
          } else {
            const std::uint64_t chunk = chunk_bytes_for(e.size);
            io::DatasetSpec spec;
            spec.name = e.name;
            spec.type = H5T_STD_U8LE;
            spec.shape = {e.size};
            spec.chunks = {chunk};
            spec.filters = filters;
            io::WriteOptions wopt;
            wopt.block_shape = {chunk};
            io::ChunkWriter writer = io::ChunkWriter::create(session, parent, spec, wopt);
            buffer.resize(static_cast<std::size_t>(chunk));
            for (std::uint64_t offset = 0; offset < e.size; offset += chunk) {
              std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, e.size - offset));
              read_exact(s.path, offset, buffer.data(), n);
              std::span<const std::byte> piece(buffer.data(), n);
              crc = detail::crc32_update(crc, piece);
              hsize_t off[1] = {offset}, count[1] = {n};
              writer.write(off, count, piece);
              if (show_progress) progress.advance(n);
            }
            writer.finish(/*wait=*/false);  // chunks stay queued; the next files keep the encoders busy
            h5::Dataset ds = h5::open_child_dataset(parent, e.name);
            write_meta(ds, e);
            h5::write_u32_attribute(ds, "crc32", crc);
          }
          ++stats.files;
          stats.bytes_in += e.size;
          break;
        }
        case EntryKind::other: break;
      }
    } catch (const Error& err) {
      throw err.with_context(s.path.empty() ? s.h5_path : s.path);
    }
  }
  session.flush();
  stats.bytes_stored = session.bytes_written();
  groups.clear();
  file.close();
  progress.finish();
  if (::rename(temp.c_str(), archive.c_str()) != 0)
    throw_io(fmt::format("{}: cannot rename {} to it: {}", archive.string(), temp.string(), std::strerror(errno)));
  guard.keep = true;
  guard.on_interrupt.release();
  return stats;
}

}  // namespace h5dig::archive
