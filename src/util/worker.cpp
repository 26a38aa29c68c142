#include "h5dig/util/worker.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <streambuf>
#include <string>

#include <fmt/format.h>

#include "h5dig/util/breadcrumb.hpp"
#include "h5dig/util/interrupt_cleanup.hpp"

namespace h5dig::util {

namespace {

bool write_all(int fd, const char* p, std::size_t n) noexcept {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// std::cout / std::cerr of the worker: a buffer h5dig owns, so that a crash
// handler can still write out what the listing produced before the crash
// (iostream's own buffers are out of reach of an async-signal-safe handler).
class FdOutBuf final : public std::streambuf {
 public:
  FdOutBuf(int fd, bool buffered) : fd_(fd), buffered_(buffered) { reset(); }

  // Async-signal-safe: one write of what is pending.
  void emergency_flush() noexcept {
    if (!buffered_) return;
    char* b = pbase();
    char* e = pptr();
    if (b && e > b && e <= buf_ + sizeof buf_) write_all(fd_, b, static_cast<std::size_t>(e - b));
    setp(buf_, buf_);  // nothing more to write, should the handler run again
  }

 protected:
  int_type overflow(int_type c) override {
    if (!flush_pending()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    char ch = traits_type::to_char_type(c);
    if (!buffered_) return write_all(fd_, &ch, 1) ? c : traits_type::eof();
    *pptr() = ch;
    pbump(1);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= 0) return 0;
    if (buffered_ && n <= epptr() - pptr()) {
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    if (!flush_pending()) return 0;
    if (buffered_ && n < static_cast<std::streamsize>(sizeof buf_)) {
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    return write_all(fd_, s, static_cast<std::size_t>(n)) ? n : 0;
  }
  int sync() override { return flush_pending() ? 0 : -1; }

 private:
  void reset() noexcept {
    if (buffered_) setp(buf_, buf_ + sizeof buf_);
    else setp(nullptr, nullptr);
  }
  bool flush_pending() noexcept {
    if (!buffered_) return true;
    std::size_t n = static_cast<std::size_t>(pptr() - pbase());
    bool ok = n == 0 || write_all(fd_, pbase(), n);
    reset();
    return ok;
  }

  int fd_;
  bool buffered_;
  char buf_[1 << 16];
};

int g_message_fd = STDERR_FILENO;
FdOutBuf* g_out = nullptr;  // the worker's stdout buffer (never freed: used until exit)

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
// The watchdog's first stop: lets the worker write out its pending output.
constexpr int kWatchdogSignal = SIGUSR2;

extern "C" void on_fatal(int sig) {
  if (g_out) g_out->emergency_flush();
  // SA_RESETHAND restored the default action: returning re-runs the faulting
  // instruction (or abort() raises again); for the watchdog's signal, raise.
  if (sig == kWatchdogSignal) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

void become_worker(pid_t parent, int stderr_pipe) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the supervisor
  if (::getppid() != parent) std::_Exit(1);  // it died before prctl took effect

  // fd 2 becomes a pipe to the parent: what the C libraries print there while
  // dying (glibc's "double free or corruption", HDF5's diagnostics) is the
  // parent's to show or drop. h5dig's own messages go to the real stderr.
  int real_err = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (real_err < 0 || ::dup2(stderr_pipe, STDERR_FILENO) < 0) real_err = STDERR_FILENO;
  ::close(stderr_pipe);
  g_message_fd = real_err;

  std::ios_base::sync_with_stdio(false);  // first call: later calls change nothing
  g_out = new FdOutBuf(STDOUT_FILENO, true);
  std::cout.rdbuf(g_out);
  std::cerr.rdbuf(new FdOutBuf(real_err, false));

  static char alt_stack[1 << 16];  // the handler must run on a blown stack too
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal;
  sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int sig : kCrashSignals) ::sigaction(sig, &sa, nullptr);
  ::sigaction(kWatchdogSignal, &sa, nullptr);
}

// ---------------------------------------------------------------- parent

volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_forwarded = 0;

extern "C" void forward_signal(int sig) {
  g_forwarded = sig;
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), sig);
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

bool is_crash_signal(int sig) {
  for (int s : kCrashSignals)
    if (s == sig) return true;
  return false;
}

std::string where(const std::string& command) {
  Breadcrumb b = read_breadcrumb();
  if (b.file.empty()) return command;
  return b.object.empty() ? b.file : b.file + ": " + b.object;
}

void drain(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < (1u << 20)) into.append(buf, static_cast<std::size_t>(n));  // bounded
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;  // EOF or EAGAIN
  }
}

[[noreturn]] void die_like(int sig) {
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  std::_Exit(128 + sig);
}

[[noreturn]] void supervise(pid_t child, int err_fd, const WorkerOptions& options) {
  g_child = child;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
  ::fcntl(err_fd, F_SETFL, ::fcntl(err_fd, F_GETFL) | O_NONBLOCK);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));

  using clock = std::chrono::steady_clock;
  std::string child_stderr;
  std::uint64_t beats = heartbeat_count();
  auto last_progress = clock::now();
  bool watchdog_fired = false;
  int status = 0;
  bool err_open = true;
  for (;;) {
    pollfd fds[2];
    nfds_t n = 0;
    if (pidfd >= 0) fds[n++] = {pidfd, POLLIN, 0};
    if (err_open) fds[n++] = {err_fd, POLLIN, 0};
    // Without a pidfd (old kernels) the exit is noticed by polling.
    ::poll(fds, n, pidfd >= 0 ? 1000 : 20);
    if (err_open) {
      pollfd& e = fds[n - 1];
      if (e.revents & POLLIN) drain(err_fd, child_stderr);
      else if (e.revents & (POLLHUP | POLLERR)) err_open = false;
    }
    pid_t r = ::waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (r < 0 && errno != EINTR) std::_Exit(1);
    std::uint64_t now_beats = heartbeat_count();
    auto now = clock::now();
    if (now_beats != beats) {
      beats = now_beats;
      last_progress = now;
    } else if (options.watchdog_seconds > 0 &&
               std::chrono::duration<double>(now - last_progress).count() >= options.watchdog_seconds) {
      watchdog_fired = true;
      ::kill(child, kWatchdogSignal);  // writes out the pending listing, then dies
      for (int i = 0; i < 200 && ::waitpid(child, &status, WNOHANG) == 0; ++i) ::usleep(10000);
      if (::waitpid(child, &status, WNOHANG) == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
      }
      break;
    }
  }
  drain(err_fd, child_stderr);
  g_child = 0;

  if (watchdog_fired) {
    remove_registered_outputs();
    std::fprintf(stderr, "h5dig: %s: no progress for %gs (stopped by the watchdog; --watchdog sets the period)\n",
                 where(options.command).c_str(), options.watchdog_seconds);
    std::_Exit(1);
  }
  // What C libraries printed on the worker's fd 2 (a filter plugin's "BUG:
  // bzip2 decompression failed", glibc's "double free or corruption") is not
  // h5dig's report: h5dig says what failed in its own line. Shown on request.
  if (std::getenv("H5DIG_WORKER_STDERR")) write_all(STDERR_FILENO, child_stderr.data(), child_stderr.size());
  if (WIFEXITED(status)) {
    remove_registered_outputs();  // normally none are left: the worker cleans up
    std::_Exit(WEXITSTATUS(status));
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  remove_registered_outputs();
  if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGPIPE || sig == g_forwarded) die_like(sig);
  if (is_crash_signal(sig)) {
    std::fprintf(stderr, "h5dig: %s: crashed inside HDF5 (%s)\n", where(options.command).c_str(),
                 signal_name(sig).c_str());
  } else {
    std::fprintf(stderr, "h5dig: %s: worker killed by %s\n", where(options.command).c_str(),
                 signal_name(sig).c_str());
  }
  std::_Exit(1);
}

}  // namespace

int message_fd() noexcept { return g_message_fd; }

double default_watchdog_seconds() {
  if (const char* s = std::getenv("H5DIG_WATCHDOG"); s && *s) {
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (end && *end == '\0' && v >= 0) return v;
  }
  return 600.0;
}

void run_in_worker(const WorkerOptions& options) {
  if (std::getenv("H5DIG_NO_WORKER")) return;
  install_interrupt_cleanup();  // its registry must be shared before the fork
  share_breadcrumb();
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return;
  }
  if (child == 0) {
    ::close(err_pipe[0]);
    become_worker(parent, err_pipe[1]);
    return;
  }
  ::close(err_pipe[1]);
  supervise(child, err_pipe[0], options);
}

}  // namespace h5dig::util
