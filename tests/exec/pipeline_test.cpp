#include "h5dig/exec/pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <set>
#include <thread>

#include "h5dig/error.hpp"

namespace h5dig::exec {
namespace {

struct Item {
  std::size_t index = 0;
  std::uint64_t value = 0;
  std::vector<int> buffer;  // to check recycling keeps capacity
};

TEST(ExecPipeline, SinkSeesEveryItemInSourceOrder) {
  for (std::size_t threads : {1u, 2u, 7u}) {
    std::size_t next = 0;
    std::vector<std::size_t> seen;
    run_pipeline<Item>(
        {.threads = threads},
        [&](Item& item) {
          if (next == 1000) return false;
          item.index = next++;
          return true;
        },
        [&](Item& item, std::size_t worker) {
          EXPECT_LT(worker, threads);
          item.value = item.index * item.index;
        },
        [&](Item& item) {
          EXPECT_EQ(item.value, item.index * item.index);
          seen.push_back(item.index);
        });
    std::vector<std::size_t> expected(1000);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(seen, expected) << threads << " threads";
  }
}

TEST(ExecPipeline, InFlightItemsAreBoundedAndRecycled) {
  const std::size_t threads = 3, per_thread = 2;
  std::atomic<int> in_flight{0}, peak{0};
  std::set<const Item*> distinct;
  std::size_t next = 0;
  run_pipeline<Item>(
      {.threads = threads, .tokens_per_thread = per_thread},
      [&](Item& item) {
        if (next == 500) return false;
        item.index = next++;
        distinct.insert(&item);
        int now = ++in_flight;
        int old = peak.load();
        while (now > old && !peak.compare_exchange_weak(old, now)) {}
        return true;
      },
      [&](Item& item, std::size_t) { std::this_thread::sleep_for(std::chrono::microseconds(50)); },
      [&](Item&) { --in_flight; });
  EXPECT_LE(peak.load(), static_cast<int>(threads * per_thread));
  EXPECT_LE(distinct.size(), threads * per_thread);  // items are reused, not reallocated
}

TEST(ExecPipeline, WithoutSinkTransformsEveryItem) {
  std::atomic<std::uint64_t> sum{0};
  std::size_t next = 0;
  run_pipeline<Item>(
      {.threads = 2},
      [&](Item& item) {
        if (next == 100) return false;
        item.index = ++next;
        return true;
      },
      [&](Item& item, std::size_t) { sum += item.index; });
  EXPECT_EQ(sum.load(), 5050u);
}

TEST(ExecPipeline, TransformErrorIsRethrownWithItsKindAndCancelsTheSource) {
  std::size_t produced = 0;
  try {
    run_pipeline<Item>(
        {.threads = 2},
        [&](Item& item) {
          item.index = produced++;
          return produced < 1'000'000;  // would run for a long time without cancellation
        },
        [&](Item& item, std::size_t) {
          if (item.index == 10) throw Error(ErrorKind::corrupt, "chunk 10 is bad");
        },
        [&](Item&) {});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::corrupt);
    EXPECT_STREQ(e.what(), "chunk 10 is bad");
  }
  EXPECT_LT(produced, 1000u);
}

TEST(ExecPipeline, SourceAndSinkErrorsAreRethrown) {
  std::size_t next = 0;
  EXPECT_THROW(run_pipeline<Item>(
                   {.threads = 2},
                   [&](Item& item) {
                     if (next == 5) throw Error(ErrorKind::io, "pread failed");
                     item.index = next++;
                     return true;
                   },
                   [](Item&, std::size_t) {}, [](Item&) {}),
               Error);
  next = 0;
  EXPECT_THROW(run_pipeline<Item>(
                   {.threads = 2},
                   [&](Item& item) {
                     item.index = next++;
                     return next < 100;
                   },
                   [](Item&, std::size_t) {},
                   [](Item& item) {
                     if (item.index == 3) throw std::runtime_error("sink");
                   }),
               std::runtime_error);
}

TEST(ExecPipeline, ExclusiveSerialStagesNeverOverlap) {
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  auto enter = [&] {
    if (++inside > 1) overlapped = true;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    --inside;
  };
  std::size_t next = 0;
  run_pipeline<Item>(
      {.threads = 3, .exclusive_serial_stages = true},
      [&](Item& item) {
        enter();
        item.index = next++;
        return next < 300;
      },
      [](Item&, std::size_t) {}, [&](Item&) { enter(); });
  EXPECT_FALSE(overlapped.load());
}

TEST(ExecParallelFor, VisitsEveryIndexOnceAndRethrows) {
  std::vector<std::atomic<int>> hits(777);
  parallel_for_index({.threads = 2}, hits.size(), [&](std::size_t i, std::size_t worker) {
    EXPECT_LT(worker, 2u);
    ++hits[i];
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_THROW(parallel_for_index({.threads = 2}, 100,
                                  [](std::size_t i, std::size_t) {
                                    if (i == 50) throw Error(ErrorKind::corrupt, "x");
                                  }),
               Error);
}

}  // namespace
}  // namespace h5dig::exec
