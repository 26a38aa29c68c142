// zip: walk the tree, then one pipeline over every entry: a serial stage hands
// out work (one item per file chunk, directory or link), N workers read and
// checksum file chunks and deflate them, and one serial stage creates the HDF5
// objects and writes the chunks directly (H5Dwrite_chunk), in walk order.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

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

struct Item {
  std::size_t entry = 0;
  std::uint64_t offset = 0;
  std::size_t length = 0;  // valid bytes of this chunk
  std::size_t nominal = 0; // chunk size of the dataset
  bool first = true, last = true;
  std::vector<std::byte> raw;
  std::vector<std::byte> stored;
  std::uint32_t mask = 0;
  std::uint32_t crc = 0;
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

  std::optional<codec::Pipeline> pipeline;
  if (options.level > 0) {
    codec::FilterSpec deflate;
    deflate.id = codec::kDeflateId;
    deflate.flags = codec::kFlagOptional;  // as H5Pset_deflate records it
    deflate.cd_values = {static_cast<unsigned>(options.level)};
    deflate.name = "deflate";
    pipeline.emplace(std::vector<codec::FilterSpec>{deflate}, 1);
  }
  tbb::enumerable_thread_specific<codec::Workspace> workspaces;
  util::Progress progress("zip", total_bytes);
  const bool show_progress = options.progress;

  // Serial-stage state: the open group of each depth on the current path, and
  // the dataset being written.
  std::vector<h5::Group> groups;
  std::optional<h5::Dataset> current;
  std::uint32_t current_crc = 0;
  std::size_t next_entry = 0;
  std::uint64_t next_offset = 0;

  auto write_meta = [](const h5::Location& loc, const FsEntry& e) {
    h5::write_u32_attribute(loc, "mode", e.mode);
    h5::write_i64_attribute(loc, "mtime_ns", e.mtime_ns);
  };

  auto produce = [&](tbb::flow_control& fc) -> Item* {
    if (next_entry >= sources.size()) {
      fc.stop();
      return nullptr;
    }
    auto item = std::make_unique<Item>();
    item->entry = next_entry;
    const FsEntry& e = sources[next_entry].entry;
    if (e.kind == EntryKind::file && e.size > 0) {
      std::uint64_t chunk = chunk_bytes_for(e.size);
      item->offset = next_offset;
      item->nominal = static_cast<std::size_t>(chunk);
      item->length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, e.size - next_offset));
      item->first = next_offset == 0;
      next_offset += item->length;
      item->last = next_offset >= e.size;
      if (item->last) {
        ++next_entry;
        next_offset = 0;
      }
    } else {
      ++next_entry;
    }
    return item.release();
  };

  auto compress = [&](Item* item) -> Item* {
    const Source& s = sources[item->entry];
    if (s.entry.kind != EntryKind::file || item->length == 0) return item;
    // The last chunk of a multi-chunk file is padded with zeros to the chunk size.
    item->raw.assign(item->nominal, std::byte{0});
    read_exact(s.path, item->offset, item->raw.data(), item->length);
    item->crc = detail::crc32_update(0, std::span<const std::byte>(item->raw.data(), item->length));
    if (pipeline) {
      codec::EncodedChunk enc = pipeline->encode(item->raw, workspaces.local());
      item->stored.assign(enc.bytes.begin(), enc.bytes.end());
      item->mask = enc.filter_mask;
      std::vector<std::byte>().swap(item->raw);
    } else {
      item->stored = std::move(item->raw);
    }
    return item;
  };

  auto store = [&](Item* raw_item) {
    std::unique_ptr<Item> item(raw_item);
    const Source& s = sources[item->entry];
    const FsEntry& e = s.entry;
    try {
      if (e.depth == 0) {
        groups.clear();
        groups.push_back(file.root());
        if (e.mtime_ns >= 0) write_meta(groups.back(), e);
        ++stats.directories;
        return;
      }
      if (item->first)
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
          if (item->first) {
            if (e.size == 0) {
              current.emplace(h5::create_byte_dataset(parent, e.name, 0, empty_dcpl));
            } else {
              h5::PropList dcpl = h5::archive_dataset_plist(item->nominal, options.level);
              current.emplace(h5::create_byte_dataset(parent, e.name, e.size, dcpl));
            }
            current_crc = 0;
          }
          if (item->length > 0) {
            hsize_t off[1] = {item->offset};
            current->write_chunk(std::span<const hsize_t>(off, 1), item->mask, item->stored);
            current_crc = item->first ? item->crc : detail::crc32_combine(current_crc, item->crc, item->length);
            stats.bytes_stored += item->stored.size();
            if (item->mask != 0) ++stats.chunks_raw;
            if (show_progress) progress.advance(item->length);
          }
          if (item->last) {
            write_meta(*current, e);
            h5::write_u32_attribute(*current, "crc32", current_crc);
            current.reset();
            ++stats.files;
            stats.bytes_in += e.size;
          }
          break;
        }
        case EntryKind::other: break;
      }
    } catch (const Error& err) {
      throw err.with_context(s.path.empty() ? s.h5_path : s.path);
    }
  };

  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_pipeline(2 * threads + 2,
                           tbb::make_filter<void, Item*>(tbb::filter_mode::serial_in_order, produce) &
                               tbb::make_filter<Item*, Item*>(tbb::filter_mode::parallel, compress) &
                               tbb::make_filter<Item*, void>(tbb::filter_mode::serial_in_order, store));
  });
  current.reset();
  groups.clear();
  file.close();
  progress.finish();
  if (::rename(temp.c_str(), archive.c_str()) != 0)
    throw_io(fmt::format("{}: cannot rename {} to it: {}", archive.string(), temp.string(), std::strerror(errno)));
  guard.keep = true;
  return stats;
}

}  // namespace h5dig::archive
