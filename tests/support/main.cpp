// The test binary's main: GoogleTest's, plus one rule.
//
// A failure outside any test — a fixture script or an exception in a SetUpTestSuite —
// makes GoogleTest skip the suite's tests, and ctest (gtest_discover_tests) counts
// "[  SKIPPED ]" as skipped, not failed: a suite whose fixture cannot be made would pass
// green. So such a failure ends the process with status 1 once GoogleTest has printed it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class FailOutsideATest : public ::testing::EmptyTestEventListener {
  // Tracked here: UnitTest::current_test_info() takes the lock GoogleTest holds while it
  // reports a result.
  bool in_test_ = false;
  void OnTestStart(const ::testing::TestInfo&) override { in_test_ = true; }
  void OnTestEnd(const ::testing::TestInfo&) override { in_test_ = false; }
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed() || in_test_) return;
    std::fprintf(stderr, "h5dig_tests: a failure outside any test (a suite's set-up): stopping with status 1\n");
    std::fflush(nullptr);
    std::_Exit(1);
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Appended after the default printer, so the failure is printed before the exit.
  ::testing::UnitTest::GetInstance()->listeners().Append(new FailOutsideATest);
  return RUN_ALL_TESTS();
}
