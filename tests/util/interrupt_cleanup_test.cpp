// Ctrl-C, SIGTERM and SIGHUP remove the temporary file of an output being
// written (destructors do not run on a signal), and the process still ends
// "killed by" that signal.
#include "h5dig/util/interrupt_cleanup.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/fixtures.hpp"

namespace h5dig::util {
namespace {

namespace fs = std::filesystem;

// In a child process: registers two files (one released again), raises `sig`.
int child_status(const fs::path& removed, const fs::path& released, int sig) {
  pid_t pid = ::fork();
  if (pid == 0) {
    install_interrupt_cleanup();
    InterruptCleanup a(removed.string());
    InterruptCleanup b(released.string());
    b.release();
    ::raise(sig);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(InterruptCleanup, SignalRemovesRegisteredFilesAndStillKills) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    test::TempDir dir;
    auto kept = dir / "unrelated", removed = dir / ".out.h5.h5dig-1.tmp", released = dir / "released";
    for (const auto& p : {kept, removed, released}) std::ofstream(p) << "x";
    int status = child_status(removed, released, sig);
    ASSERT_TRUE(WIFSIGNALED(status)) << "signal " << sig << ": status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_FALSE(fs::exists(removed)) << sig;
    EXPECT_TRUE(fs::exists(released)) << sig;  // released: renamed onto its target by then
    EXPECT_TRUE(fs::exists(kept)) << sig;
  }
}

// The real command: Ctrl-C (SIGINT, job control on so the background job does
// not ignore it) and SIGTERM in the middle of `make` leave neither the target
// nor the hidden temporary file.
TEST(InterruptCleanup, InterruptedMakeLeavesNoFiles) {
  for (const char* sig : {"INT", "TERM"}) {
    test::TempDir dir;
    auto out = dir / "big.h5";
    std::string script = std::string("set -m; \"$0\" make frames --frames 100000 --shape 256,256 -t 1 \"$1\" "
                                     ">/dev/null 2>&1 & pid=$!; "
                                     "for i in $(seq 200); do ls -a \"$2\" | grep -q h5dig && break; sleep 0.05; done; "
                                     "ls -a \"$2\" | grep -c h5dig; sleep 0.3; kill -") +
                         sig + " $pid; wait $pid; echo status=$?; ls -a \"$2\"";
    auto r = test::run({"bash", "-c", script, test::h5dig_binary().string(), out.string(), dir.path().string()});
    EXPECT_EQ(r.out.rfind("1\n", 0), 0u) << "the run should have been writing: " << r.out;
    const int code = std::string(sig) == "INT" ? 128 + SIGINT : 128 + SIGTERM;
    EXPECT_NE(r.out.find("status=" + std::to_string(code)), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("h5dig"), std::string::npos) << sig << ": temporary file left: " << r.out;
    EXPECT_FALSE(fs::exists(out)) << r.out;
  }
}

}  // namespace
}  // namespace h5dig::util
