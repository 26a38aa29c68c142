// zip: walk the tree, then one pass over the entries in walk order on this
// thread (every HDF5 call: groups, links, datasets, attributes), with file
// chunks handed to io::ChunkWriter: one WriteSession for the whole archive
// deflates them on N threads and writes them with H5Dwrite_chunk.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
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
#include "h5dig/util/atomic_output.hpp"
#include "h5dig/util/fd.hpp"
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

// Reads exactly `length` bytes at `offset`; returns "" or why not.
std::string read_at(int fd, std::uint64_t offset, std::byte* out, std::size_t length, std::uint64_t size) {
  const util::ReadResult r = util::pread_exact(fd, {out, length}, offset);
  if (r.error != 0) return fmt::format("read error at byte {}: {}", offset + r.bytes, std::strerror(r.error));
  if (r.bytes < length) {
    struct stat now;
    std::uint64_t now_size = ::fstat(fd, &now) == 0 ? static_cast<std::uint64_t>(now.st_size) : offset + r.bytes;
    return fmt::format("file shrank while being read (from {} to {} bytes)", size, now_size);
  }
  return "";
}

bool same_time(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// After `size` bytes were read: "" if the file still ends there and neither its
// size, mtime nor ctime moved since `before` (tar's test for "file changed as we
// read it"), else why the bytes read may not be one consistent version.
std::string check_unchanged(int fd, const struct stat& before, std::uint64_t size) {
  std::byte probe[1];
  const util::ReadResult r = util::pread_exact(fd, probe, size);
  if (r.error != 0) return fmt::format("read error at byte {}: {}", size, std::strerror(r.error));
  const bool grew = r.bytes > 0;  // a byte past `size`
  struct stat after;
  if (::fstat(fd, &after) != 0) return std::strerror(errno);
  const auto after_size = static_cast<std::uint64_t>(after.st_size);
  if (grew || after_size > size)
    return fmt::format("file grew while being read (from {} to {} bytes)", size, std::max(after_size, size + 1));
  if (after_size < size) return fmt::format("file shrank while being read (from {} to {} bytes)", size, after_size);
  if (!same_time(before.st_mtim, after.st_mtim) || !same_time(before.st_ctim, after.st_ctim))
    return "file changed while being read";
  return "";
}

// Writes regular files into the archive: reads each through one descriptor in
// chunk-sized pieces and hands them to a ChunkWriter of the shared session.
class FileZipper {
 public:
  FileZipper(io::WriteSession& session, const std::vector<codec::FilterSpec>& filters, const ZipOptions& options,
             util::Progress* progress)
      : session_(session), filters_(filters), options_(options), progress_(progress),
        empty_dcpl_(h5::empty_dataset_plist()) {}

  // Archives the file at `path` as dataset `name` of `parent`, with its mode and
  // mtime as fstat gave them when it was opened. Returns "" or why it was left
  // out; then `parent` has no `name` (a dataset already begun is unlinked: the
  // chunks already queued still land in it, and HDF5 frees its space when the
  // session lets go of it). HDF5 failures (writing the archive) are thrown.
  std::string zip(const std::string& path, const h5::Group& parent, const std::string& name, ZipStats& stats) {
    if (options_.before_read) options_.before_read(path, 0);
    // O_NONBLOCK: a FIFO put in the file's place since the walk must not block here.
    const util::Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    if (!file.valid()) return errno == ELOOP ? std::string("replaced by a symlink since the walk") : std::strerror(errno);
    const int fd = file.get();
    struct stat before;
    if (::fstat(fd, &before) != 0) return std::strerror(errno);
    if (!S_ISREG(before.st_mode)) return "no longer a regular file";
    const auto size = static_cast<std::uint64_t>(before.st_size);

    std::uint32_t crc = 0;
    if (size == 0) {
      if (std::string why = check_unchanged(fd, before, 0); !why.empty()) return why;
      h5::Dataset ds = h5::create_byte_dataset(parent, name, 0, empty_dcpl_);
      write_meta(ds, before, crc);
    } else {
      const std::uint64_t chunk = chunk_bytes_for(size);
      std::optional<io::ChunkWriter> writer;
      // The last piece is checked before it is handed on, so a one-chunk file
      // that changed never reaches the archive at all.
      auto abandon = [&](std::string why) {
        if (writer) {
          writer.reset();
          h5::delete_link(parent, name);
        }
        return why;
      };
      buffer_.resize(static_cast<std::size_t>(chunk));
      for (std::uint64_t offset = 0; offset < size; offset += chunk) {
        if (offset > 0 && options_.before_read) options_.before_read(path, offset);
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - offset));
        if (std::string why = read_at(fd, offset, buffer_.data(), n, size); !why.empty()) return abandon(why);
        if (offset + n == size)
          if (std::string why = check_unchanged(fd, before, size); !why.empty()) return abandon(why);
        if (!writer) {
          io::DatasetSpec spec;
          spec.name = name;
          spec.type = h5::predefined(h5::Predefined::std_u8le);
          spec.shape = {size};
          spec.chunks = {chunk};
          spec.filters = filters_;
          io::WriteOptions wopt;
          wopt.block_shape = {chunk};
          writer.emplace(io::ChunkWriter::create(session_, parent, spec, wopt));
        }
        std::span<const std::byte> piece(buffer_.data(), n);
        crc = detail::crc32_update(crc, piece);
        h5::Size off[1] = {offset}, count[1] = {n};
        writer->write(off, count, piece);
        if (progress_) progress_->advance(n);
      }
      writer->finish(/*wait=*/false);  // chunks stay queued; the next files keep the encoders busy
      h5::Dataset ds = h5::open_child_dataset(parent, name);
      write_meta(ds, before, crc);
    }
    ++stats.files;
    stats.bytes_in += size;
    return "";
  }

 private:
  static void write_meta(const h5::Location& loc, const struct stat& st, std::uint32_t crc) {
    h5::write_u32_attribute(loc, "mode", st.st_mode & 07777);
    h5::write_i64_attribute(loc, "mtime_ns",
                            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
    h5::write_u32_attribute(loc, "crc32", crc);
  }

  io::WriteSession& session_;
  const std::vector<codec::FilterSpec>& filters_;
  const ZipOptions& options_;
  util::Progress* progress_;
  h5::PropList empty_dcpl_;
  std::vector<std::byte> buffer_;
};

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

ZipStats run_zip(const std::filesystem::path& archive, const std::vector<std::filesystem::path>& dirs,
             const ZipOptions& options, std::ostream& warn) {
  if (dirs.empty()) throw_usage("zip: no directory given");
  if (options.level < 0 || options.level > 9) throw_usage(fmt::format("zip: level {} is not in 0..9", options.level));
  for (const auto& d : dirs) {
    struct stat st;
    if (::stat(d.c_str(), &st) != 0) throw_io(fmt::format("{}: {}", d.string(), std::strerror(errno)));
    if (!S_ISDIR(st.st_mode)) throw_usage(fmt::format("{}: not a directory", d.string()));
  }
  util::AtomicOutput output(archive);
  const std::filesystem::path& temp = output.temp_path();
  struct stat temp_st;
  if (::stat(temp.c_str(), &temp_st) != 0) throw_io(fmt::format("{}: {}", temp.string(), std::strerror(errno)));

  // ---- walk (the archive being written is never archived, even if inside the tree)
  ZipStats stats;
  auto not_archived = [&](const std::string& path, const std::string& why, bool subtree = false) {
    warn << fmt::format("h5dig: zip: {}: {}; {}\n", path, why,
                        subtree ? "directory not archived, nor anything under it" : "not archived");
    ++stats.unreadable;
  };
  detail::WalkOptions walk_options;
  walk_options.excludes = options.excludes;
  walk_options.skip_dev = temp_st.st_dev;
  walk_options.skip_ino = temp_st.st_ino;
  std::vector<Source> sources;
  std::vector<FsEntry> entries;
  detail::InodeIndex inodes;  // shared by every DIR: a file linked from two of them is stored once
  const bool several = dirs.size() > 1;
  // What the walk could not read, reported when the archiving pass reaches its
  // place, so every line comes in path order. `before`: the index in `sources`
  // of the entry that follows it.
  struct Skipped {
    std::size_t before;
    detail::Unreadable what;
  };
  std::vector<Skipped> skipped;
  walk_options.on_unreadable = [&](const detail::Unreadable& u) {
    skipped.push_back({entries.size() + (several ? 1 : 0), u});
  };
  std::size_t next_skipped = 0;
  auto report_skipped = [&](std::size_t upto) {
    for (; next_skipped < skipped.size() && skipped[next_skipped].before <= upto; ++next_skipped) {
      const auto& u = skipped[next_skipped].what;
      if (u.special)  // by design, not a failure (tar ignores sockets too)
        warn << fmt::format("h5dig: zip: {}: {}; skipped (an archive holds files, directories and symlinks only)\n",
                            u.display, u.reason);
      else
        not_archived(u.display, u.reason, u.subtree);
    }
  };
  if (several) {
    Source r;
    r.entry.kind = EntryKind::directory;
    r.entry.mode = 0;
    r.entry.mtime_ns = -1;  // no attributes on a synthetic root
    r.h5_path = "/";
    sources.push_back(std::move(r));
  }
  std::set<std::string> names;
  for (const auto& d : dirs) {
    std::string top = basename_of(d);
    if (several && !names.insert(top).second) throw_usage(fmt::format("zip: two directories named {}", top));
    std::string root = d.string();
    std::size_t begin = entries.size();
    detail::walk_tree_into(root, walk_options, warn, entries, inodes);
    for (std::size_t k = begin; k < entries.size(); ++k) {
      FsEntry& e = entries[k];
      Source s;
      s.path = e.rel.empty() ? root : (root.back() == '/' ? root + e.rel : root + "/" + e.rel);
      if (several) {
        e.rel = e.rel.empty() ? top : top + "/" + e.rel;
        if (e.depth == 0) e.name = top;
        e.depth += 1;
        if (e.kind == EntryKind::hardlink) e.link_to += 1;  // the synthetic root is sources[0]
      }
      s.h5_path = "/" + e.rel;
      s.entry = std::move(e);
      sources.push_back(std::move(s));
    }
  }

  std::uint64_t total_bytes = 0;
  for (const auto& s : sources)
    if (s.entry.kind == EntryKind::file) total_bytes += s.entry.size;

  // ---- the archive
  h5::PropList fapl = h5::archive_file_access_plist();
  h5::PropList fcpl = h5::archive_file_create_plist();
  h5::File file = h5::File::create(temp, fcpl.id(), fapl.id());

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

  // One session (encoder threads + ordered write queue) for every file: this
  // thread reads the files and makes every HDF5 call; the session's workers
  // deflate the chunks; finished chunks are written with H5Dwrite_chunk.
  io::WriteSession::Options session_options;
  session_options.threads = options.threads;  // 0: resolved by the session (exec)
  io::WriteSession session(session_options);
  FileZipper zipper(session, filters, options, options.progress ? &progress : nullptr);
  std::vector<h5::Group> groups;  // the open group of each depth on the current path
  // Hard links: whether each entry made it into the archive, and for a first
  // name that could not be read, the later name of the same inode archived in
  // its place (the other names link to that one).
  std::vector<char> archived(sources.size(), 0);
  std::map<std::size_t, std::size_t> stand_in;

  auto write_meta = [](const h5::Location& loc, const FsEntry& e) {
    h5::write_u32_attribute(loc, "mode", e.mode);
    h5::write_i64_attribute(loc, "mtime_ns", e.mtime_ns);
  };

  for (std::size_t i = 0; i < sources.size(); ++i) {
    report_skipped(i);
    const Source& s = sources[i];
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
        case EntryKind::hardlink: {
          auto it = stand_in.find(e.link_to);
          std::size_t first = it != stand_in.end() ? it->second : e.link_to;
          if (archived[first]) {
            h5::make_hard_link(file, sources[first].h5_path, parent, e.name);
            archived[i] = 1;
            ++stats.hardlinks;
            break;
          }
          // No name of this inode could be read so far: try this one as the file.
          if (std::string why = zipper.zip(s.path, parent, e.name, stats); !why.empty()) {
            not_archived(s.path, why);
          } else {
            stand_in[e.link_to] = i;
            archived[i] = 1;
          }
          break;
        }
        case EntryKind::file:
          if (std::string why = zipper.zip(s.path, parent, e.name, stats); !why.empty())
            not_archived(s.path, why);
          else
            archived[i] = 1;
          break;
        case EntryKind::other: break;
      }
    } catch (const Error& err) {
      throw err.with_context(s.path.empty() ? s.h5_path : s.path);
    }
  }
  report_skipped(sources.size());
  session.flush();
  stats.bytes_stored = session.bytes_written();
  groups.clear();
  file.close();
  progress.finish();
  output.commit();
  return stats;
}

}  // namespace h5dig::archive
