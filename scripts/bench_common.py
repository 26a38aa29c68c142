"""Shared helpers of the h5dig benchmark scripts (scripts/bench_*).

How every benchmark times h5dig against its peer -- one implementation, here:

- Each run is a child process, measured with os.wait4: wall seconds, user and
  system CPU seconds, peak RSS and minor page faults of that child alone.
- `alternate()` runs the two sides in turn, A B A B ..., `pairs` pairs after one
  untimed warm-up run of each (page cache warm for both). The figure quoted is
  the median of the per-pair ratios (peer time / h5dig time of the same pair):
  a busy moment on the shared machine hits both halves of a pair alike, and
  each side runs right after the other, as a user meets it -- not after a
  repetition of itself, which inherits its own freed memory.
- `conditions()` times h5dig in the two memory states docs/read.md explains:
  "after itself" (back to back, the old way of benchmarking) and "after another
  big process" (scripts/memory-pressure touches and frees a few hundred MB right
  before each run).
- `write_section()` replaces one <!-- bench:TOPIC:begin/end --> section of
  docs/benchmarks.md, so scripts do not clobber each other.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMORY_PRESSURE = ROOT / "scripts" / "memory-pressure"
DEFAULT_PAIRS = 5
DEFAULT_PRESSURE_MB = 512


@dataclass
class Run:
    """One child process: wall/user/sys seconds, peak RSS in MiB, minor faults."""
    wall: float
    user: float
    sys: float
    rss_mb: float
    faults: int
    out: str = ""
    err: str = ""


@dataclass
class Side:
    """One side of a comparison: a command, and what to do (untimed) before
    each of its runs, e.g. remove the previous output and sync."""
    label: str
    cmd: list
    env: dict = None
    cwd: str = None
    setup: object = None  # callable() or None


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# The command runs under GNU time, which reports its peak RSS: the kernel's own
# figure for a child of this script would start at this script's RSS (a child
# inherits its parent's high-water mark through fork and exec), and a script
# that made a 1,000,000-chunk file with h5py is itself 2 GB.
GNU_TIME = "/usr/bin/time"


def run(side, pressure_mb=0):
    """Runs side.cmd once (after side.setup and, if pressure_mb, the memory
    pressure) and returns its Run; raises SystemExit naming the command if it
    fails. User/system time and faults come from wait4 (GNU time's own share,
    a millisecond and ~100 faults, included), the peak RSS from GNU time."""
    if side.setup:
        side.setup()
    if pressure_mb:
        memory_pressure(pressure_mb)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as rss:
        cmd = [GNU_TIME, "-f", "%M", "-o", rss.name] + [str(c) for c in side.cmd]
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=side.env, cwd=side.cwd)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text_out, text_err = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        report = rss.read().split()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(map(str, side.cmd))}\n{text_err[-2000:]}")
    rss_mb = int(report[-1]) / 1024 if report and report[-1].isdigit() else float("nan")
    return Run(wall, ru.ru_utime, ru.ru_stime, rss_mb, ru.ru_minflt, text_out, text_err)


def memory_pressure(mb=DEFAULT_PRESSURE_MB):
    """The "after another big process" condition: a process that touches `mb`
    MB of 4 KiB pages and exits (scripts/memory-pressure)."""
    subprocess.run([sys.executable, str(MEMORY_PRESSURE), str(mb)], check=True)


def median_run(runs):
    m = statistics.median
    return Run(m(r.wall for r in runs), m(r.user for r in runs), m(r.sys for r in runs), m(r.rss_mb for r in runs),
               int(m(r.faults for r in runs)))


@dataclass
class Pairs:
    """The result of alternate(): a[i] and b[i] ran one after the other."""
    a_label: str
    b_label: str
    a: list = field(default_factory=list)
    b: list = field(default_factory=list)

    def ratio(self, value=lambda r: r.wall):
        """Median over the pairs of value(b) / value(a)."""
        return statistics.median(value(y) / value(x) for x, y in zip(self.a, self.b))

    def ratio_of_medians(self):
        return median_run(self.b).wall / median_run(self.a).wall


def alternate(a, b, pairs=DEFAULT_PAIRS, warmup=True, pressure_mb=0):
    """Runs a and b in alternation, A B A B ..., `pairs` pairs after one
    untimed run of each; with pressure_mb, the memory pressure runs before
    every timed run. Returns Pairs."""
    if warmup:
        run(a)
        run(b)
    result = Pairs(a.label, b.label)
    for i in range(pairs):
        result.a.append(run(a, pressure_mb))
        result.b.append(run(b, pressure_mb))
        log(f"  pair {i + 1}/{pairs}: {a.label} {result.a[-1].wall:.3f} s, {b.label} {result.b[-1].wall:.3f} s")
    return result


def add_arguments(parser):
    """The options every Python benchmark takes: --pairs, --pressure-mb and
    --pressure-each (the memory pressure before every timed run of the
    alternation too, not only in the "after another big process" rows)."""
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS, help="alternating pairs (default %(default)s)")
    parser.add_argument("--pressure-mb", type=int, default=DEFAULT_PRESSURE_MB,
                        help="MB scripts/memory-pressure touches and frees (default %(default)s)")
    parser.add_argument("--pressure-each", action="store_true",
                        help="run scripts/memory-pressure before every timed run of the alternation")


def alternate_with(args, a, b):
    """alternate() with the options of add_arguments()."""
    return alternate(a, b, args.pairs, pressure_mb=args.pressure_mb if args.pressure_each else 0)


AFTER_ITSELF = "after itself"
AFTER_OTHER = "after another big process"


def conditions(side, runs=DEFAULT_PAIRS, pressure_mb=DEFAULT_PRESSURE_MB):
    """Times `side` in both memory states, `runs` times each, in turn: the
    memory pressure, a run (after another big process), a run (after itself).
    Returns {condition: [Run]}."""
    result = {AFTER_ITSELF: [], AFTER_OTHER: []}
    for _ in range(runs):
        result[AFTER_OTHER].append(run(side, pressure_mb))
        result[AFTER_ITSELF].append(run(side))
        log(f"  {side.label}: {AFTER_OTHER} {result[AFTER_OTHER][-1].wall:.3f} s, "
            f"{AFTER_ITSELF} {result[AFTER_ITSELF][-1].wall:.3f} s")
    return result


# ------------------------------------------------------------------ tables

RUN_COLUMNS = "wall (median) | user | sys | peak RSS | page faults"
RUN_ALIGN = "---:|---:|---:|---:|---:"


def run_cells(r):
    return f"{r.wall:.3f} s | {r.user:.2f} s | {r.sys:.2f} s | {r.rss_mb:,.0f} MiB | {r.faults:,}"


def pairs_table(rows, pairs):
    """Markdown table: one row per side of each comparison in `rows` (a list of
    (Pairs, note)), the ratio on the peer's row. Returns lines."""
    lines = [f"| side | {RUN_COLUMNS} | speed-up: median of per-pair ratios (ratio of medians) |",
             f"|---|{RUN_ALIGN}|---:|"]
    for p, note in rows:
        ratio = f"**{p.ratio():.2f}×** ({p.ratio_of_medians():.2f}×){note}"
        lines.append(f"| {p.a_label} | {run_cells(median_run(p.a))} | |")
        lines.append(f"| {p.b_label} | {run_cells(median_run(p.b))} | {ratio} |")
    return lines


def conditions_table(rows, pressure_mb=DEFAULT_PRESSURE_MB):
    """Markdown table of h5dig in both memory states; rows: [(label, conditions())]."""
    lines = [f"| h5dig | condition | {RUN_COLUMNS} | after another / after itself (target ≤ 1.20) |",
             f"|---|---|{RUN_ALIGN}|---:|"]
    for label, c in rows:
        itself, other = median_run(c[AFTER_ITSELF]), median_run(c[AFTER_OTHER])
        lines.append(f"| {label} | {AFTER_ITSELF} (back to back) | {run_cells(itself)} | |")
        lines.append(f"| {label} | {AFTER_OTHER} ({pressure_mb} MB touched and freed) | {run_cells(other)} "
                     f"| **{other.wall / itself.wall:.2f}** |")
    return lines


def method_note(pairs=DEFAULT_PAIRS, pressure_each_mb=0):
    pressure = (f" Before every timed run, scripts/memory-pressure touched and freed {pressure_each_mb} MB."
                if pressure_each_mb else "")
    return (f"Each side is a whole process, timed with os.wait4 and GNU time (wall, user and system CPU, peak RSS, "
            f"minor page faults: medians). The sides alternate, A B A B, {pairs} pairs after one untimed warm-up run "
            f"of each; the speed-up is the median of the per-pair ratios (in brackets: the ratio of the medians)."
            + pressure)


# ------------------------------------------------------------------ docs

def write_section(doc, topic, text):
    begin, end = f"<!-- bench:{topic}:begin -->", f"<!-- bench:{topic}:end -->"
    os.makedirs(os.path.dirname(doc), exist_ok=True)
    old = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n\nTables written by scripts/bench_*; re-run a script to refresh its section.\n"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in old and end in old:
        new = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    with open(doc, "w") as f:
        f.write(new)


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), load average {os.getloadavg()[0]:.1f} at start"


def stamp():
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def sync():
    """Flush dirty pages: a run must not pay for the previous run's writeback."""
    os.sync()
