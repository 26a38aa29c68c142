// Bounded task pipelines: serial source -> parallel transform -> serial ordered sink.
//
// This is the one way h5dig fans work out over threads (reads, writes, repacks,
// archives). It runs on oneTBB's parallel_pipeline inside a task_arena of the
// requested size, with at most `threads × tokens_per_thread` items in flight, so
// memory stays flat however many items the source yields.
//
//   source    bool(Item&)                  serial, in order: fill the next item;
//                                          return false when there are no more.
//                                          The place for HDF5 calls and pread.
//   transform void(Item&, std::size_t w)   parallel: decode/encode the item.
//                                          `w` in [0, threads) identifies the
//                                          worker, e.g. to pick its codec
//                                          Workspace. Never call HDF5 here.
//   sink      void(Item&)                  serial, in source order (optional;
//                                          pass nullptr or use the 3-argument form):
//                                          e.g. H5Dwrite_chunk, progress.
//
// Items are recycled: the pipeline owns `threads × tokens_per_thread` default-
// constructed Items and hands them to `source` again once the sink is done with
// them, so buffers inside an Item (std::vector) are reused without reallocation.
// `source` must therefore (re)set every field it relies on.
//
// Errors: the first exception thrown by any stage is captured, the rest of the
// pipeline is cancelled (the source is not called again; queued items are
// dropped), and the exception is rethrown on the calling thread once every
// worker has stopped. Later exceptions are discarded.
//
// HDF5: source and sink are each serial, but TBB may run the source and the sink
// at the same moment on two threads. When both enter HDF5, set
// `exclusive_serial_stages` so that they never overlap (HDF5 is then entered
// from one thread at a time, as h5dig's rule demands).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace h5dig::exec {

// The number of hardware threads (std::thread::hardware_concurrency, at least 1).
std::size_t default_threads() noexcept;

// The one place where "0 threads means one per core" is resolved: `requested`,
// or default_threads() when it is 0. Thread counts are std::size_t everywhere.
std::size_t resolved_threads(std::size_t requested) noexcept;

struct PipelineOptions {
  std::size_t threads = 0;               // worker threads; 0 = default_threads()
  std::size_t tokens_per_thread = 2;     // items in flight per thread (>= 1)
  bool exclusive_serial_stages = false;  // source and sink never run at the same time
};

// Effective thread count for `options` (resolves 0).
std::size_t resolved_threads(const PipelineOptions& options) noexcept;

namespace detail {

// Type-erased core (src/exec/pipeline.cpp). Items are opaque pointers owned by
// the caller's pool; `acquire` returns a free one, `release` gives it back.
struct ErasedPipeline {
  std::function<void*()> acquire;
  std::function<void(void*)> release;
  std::function<bool(void*)> source;
  std::function<void(void*, std::size_t)> transform;
  std::function<void(void*)> sink;  // may be empty
};

void run_erased(const PipelineOptions& options, const ErasedPipeline& stages);

}  // namespace detail

// Runs source -> transform -> sink as described above. Returns when the source
// is exhausted and every item has passed the sink. Throws the first exception
// any stage threw. Not reentrant from inside a stage.
template <typename Item, typename Source, typename Transform, typename Sink>
void run_pipeline(const PipelineOptions& options, Source&& source, Transform&& transform, Sink&& sink) {
  // Recycled items; the pool grows only if TBB ever asks for more items than
  // tokens (it does not), so allocation stays bounded either way.
  std::vector<std::unique_ptr<Item>> owned;
  std::vector<Item*> free_items;
  std::mutex mutex;
  detail::ErasedPipeline stages;
  stages.acquire = [&]() -> void* {
    std::lock_guard lock(mutex);
    if (free_items.empty()) {
      owned.push_back(std::make_unique<Item>());
      return owned.back().get();
    }
    Item* item = free_items.back();
    free_items.pop_back();
    return item;
  };
  stages.release = [&](void* item) {
    std::lock_guard lock(mutex);
    free_items.push_back(static_cast<Item*>(item));
  };
  stages.source = [&](void* item) -> bool { return source(*static_cast<Item*>(item)); };
  stages.transform = [&](void* item, std::size_t worker) { transform(*static_cast<Item*>(item), worker); };
  if constexpr (!std::is_same_v<std::decay_t<Sink>, std::nullptr_t>) {
    stages.sink = [&](void* item) { sink(*static_cast<Item*>(item)); };
  }
  detail::run_erased(options, stages);
}

// The same without a sink: items are done when the transform returns.
template <typename Item, typename Source, typename Transform>
void run_pipeline(const PipelineOptions& options, Source&& source, Transform&& transform) {
  run_pipeline<Item>(options, std::forward<Source>(source), std::forward<Transform>(transform), nullptr);
}

// Calls fn(i, worker) for every i in [0, n) on `options.threads` threads, with
// the same error rules as run_pipeline. Order of calls is unspecified.
void parallel_for_index(const PipelineOptions& options, std::size_t n,
                        const std::function<void(std::size_t index, std::size_t worker)>& fn);

}  // namespace h5dig::exec
