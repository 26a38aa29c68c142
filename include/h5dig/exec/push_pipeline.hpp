// PushPipeline: exec's engine for producers that push.
//
// run_pipeline pulls: its serial source is called when the pipeline wants the
// next item. A writer cannot work that way: the caller produces chunks as its own
// loop goes (frames arriving, files of an archive being read), and every HDF5 call
// (H5Dcreate, H5Dset_extent, H5Dwrite_chunk) must stay on the caller's thread and
// in the caller's order. PushPipeline is the same three stages turned inside out:
//
//   push(item)     serial, caller's thread: hands an item to the pool, which
//                  starts its transform at once;
//   transform      parallel, pool threads: void(Item&, std::size_t worker), with
//                  `worker` in [0, threads()) to pick a per-thread workspace.
//                  Never call HDF5 here;
//   pop(wait)      serial, caller's thread: the oldest item pushed, once its
//                  transform is done, so the caller's ordered sink (H5Dwrite_chunk)
//                  sees items in push order.
//
// Bounds: the pipeline holds what was pushed and not yet popped (size()); the
// caller bounds it, popping before it pushes more (WriteSession keeps at most
// `max_in_flight`). Items are owned by the pipeline between push and pop.
//
// Errors: an exception escaping the transform is kept with its item and rethrown
// by the pop() that returns that item's turn (the item is dropped). Transforms
// that want to report an error with the item's context catch it themselves and
// store it in the item.
//
// Destruction drops the items not yet popped: transforms not yet started are
// skipped, running ones are waited for. Not thread-safe: push, pop and the
// destructor belong to one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include "h5dig/exec/pipeline.hpp"

namespace h5dig::exec {

namespace detail {

// Type-erased core (src/exec/push_pipeline.cpp): items are opaque pointers;
// `destroy` deletes one the core still owns when it is dropped.
class PushCore {
 public:
  PushCore(const PipelineOptions& options, std::function<void(void*, std::size_t)> transform,
           std::function<void(void*)> destroy);
  ~PushCore();
  PushCore(const PushCore&) = delete;
  PushCore& operator=(const PushCore&) = delete;

  std::size_t threads() const noexcept;
  std::size_t size() const noexcept;
  void push(void* item);
  // The oldest item, or nullptr (none pushed; or, without `wait`, its transform
  // is still running). Rethrows what its transform threw.
  void* pop(bool wait);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace detail

template <typename Item>
class PushPipeline {
 public:
  using Transform = std::function<void(Item&, std::size_t worker)>;

  // Starts a pool of resolved_threads(options) threads (tokens_per_thread and
  // exclusive_serial_stages do not apply: the caller bounds and serialises).
  PushPipeline(const PipelineOptions& options, Transform transform)
      : core_(
            options,
            [transform = std::move(transform)](void* item, std::size_t worker) {
              transform(*static_cast<Item*>(item), worker);
            },
            [](void* item) { delete static_cast<Item*>(item); }) {}

  std::size_t threads() const noexcept { return core_.threads(); }
  // Items pushed and not yet popped.
  std::size_t size() const noexcept { return core_.size(); }
  bool empty() const noexcept { return size() == 0; }

  void push(std::unique_ptr<Item> item) { core_.push(item.release()); }

  // The oldest item once transformed, waiting for it if `wait`; nullptr if there
  // is none, or without `wait` if it is not done yet.
  std::unique_ptr<Item> pop(bool wait) { return std::unique_ptr<Item>(static_cast<Item*>(core_.pop(wait))); }

 private:
  detail::PushCore core_;
};

}  // namespace h5dig::exec
