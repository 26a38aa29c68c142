#include "h5dig/exec/pipeline.hpp"

#include "exec/arena.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

namespace h5dig::exec {

std::size_t default_threads() noexcept {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

std::size_t resolved_threads(std::size_t requested) noexcept {
  return requested == 0 ? default_threads() : requested;
}

std::size_t resolved_threads(const PipelineOptions& options) noexcept { return resolved_threads(options.threads); }

namespace {

// First-error-wins capture shared by all stages of one run.
class FirstError {
 public:
  explicit FirstError(tbb::task_group_context& ctx) : ctx_(ctx) {}
  void capture() noexcept {
    bool expected = false;
    if (failed_.compare_exchange_strong(expected, true)) {
      error_ = std::current_exception();
      // Stops scheduling further work; stages also check failed() so that
      // items already running end quickly.
      ctx_.cancel_group_execution();
    }
  }
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
  void rethrow_if_failed() const {
    if (failed_.load()) std::rethrow_exception(error_);
  }

 private:
  tbb::task_group_context& ctx_;
  std::atomic<bool> failed_{false};
  std::exception_ptr error_;
};

// The slot of the calling thread in the current arena: [0, threads).
std::size_t worker_index(std::size_t threads) {
  int slot = tbb::this_task_arena::current_thread_index();
  if (slot < 0 || static_cast<std::size_t>(slot) >= threads) {
    throw std::logic_error("exec: task ran outside its arena");
  }
  return static_cast<std::size_t>(slot);
}

}  // namespace

void allow_threads(std::size_t needed) {
  // Only raised when needed: a process that never asks for more threads than
  // cores keeps TBB's default (raising it costs a read about 5% of its wall
  // time, measured with scripts/bench_ab). Intentionally never destroyed: the
  // limit must outlive every arena, and TBB's workers may still be winding
  // down at exit.
  if (needed <= default_threads()) return;
  static const auto* limit = new tbb::global_control(tbb::global_control::max_allowed_parallelism,
                                                     std::max<std::size_t>(needed, 4 * default_threads()));
  (void)limit;
}

namespace detail {

void run_erased(const PipelineOptions& options, const ErasedPipeline& stages) {
  const std::size_t threads = resolved_threads(options);
  const std::size_t tokens = threads * std::max<std::size_t>(1, options.tokens_per_thread);
  tbb::task_group_context ctx;
  FirstError error(ctx);
  std::mutex serial_mutex;  // only used with exclusive_serial_stages

  auto run_source = [&](void* item) -> bool {
    if (options.exclusive_serial_stages) {
      std::lock_guard lock(serial_mutex);
      return stages.source(item);
    }
    return stages.source(item);
  };
  auto run_sink = [&](void* item) {
    if (options.exclusive_serial_stages) {
      std::lock_guard lock(serial_mutex);
      stages.sink(item);
    } else {
      stages.sink(item);
    }
  };

  auto input = tbb::make_filter<void, void*>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) -> void* {
    if (error.failed()) {
      fc.stop();
      return nullptr;
    }
    void* item = stages.acquire();
    try {
      if (run_source(item)) return item;
    } catch (...) {
      error.capture();
    }
    stages.release(item);
    fc.stop();
    return nullptr;
  });
  auto transform = [&](void* item) {
    if (error.failed()) return;
    try {
      stages.transform(item, worker_index(threads));
    } catch (...) {
      error.capture();
    }
  };

  allow_threads(threads);
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    if (stages.sink) {
      auto middle = tbb::make_filter<void*, void*>(tbb::filter_mode::parallel, [&](void* item) -> void* {
        transform(item);
        return item;
      });
      auto output = tbb::make_filter<void*, void>(tbb::filter_mode::serial_in_order, [&](void* item) {
        if (!error.failed()) {
          try {
            run_sink(item);
          } catch (...) {
            error.capture();
          }
        }
        stages.release(item);
      });
      tbb::parallel_pipeline(tokens, input & middle & output, ctx);
    } else {
      auto last = tbb::make_filter<void*, void>(tbb::filter_mode::parallel, [&](void* item) {
        transform(item);
        stages.release(item);
      });
      tbb::parallel_pipeline(tokens, input & last, ctx);
    }
  });
  error.rethrow_if_failed();
}

}  // namespace detail

void parallel_for_index(const PipelineOptions& options, std::size_t n,
                        const std::function<void(std::size_t index, std::size_t worker)>& fn) {
  const std::size_t threads = resolved_threads(options);
  tbb::task_group_context ctx;
  FirstError error(ctx);
  allow_threads(threads);
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          for (std::size_t i = range.begin(); i != range.end(); ++i) {
            if (error.failed()) return;
            try {
              fn(i, worker_index(threads));
            } catch (...) {
              error.capture();
              return;
            }
          }
        },
        ctx);
  });
  error.rethrow_if_failed();
}

}  // namespace h5dig::exec
