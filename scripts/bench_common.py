"""Shared helpers of the h5dig benchmark scripts: timing medians, and writing a
table into docs/benchmarks.md between <!-- bench:TOPIC:begin --> / end markers
(only that section is replaced, so scripts do not clobber each other)."""
import os
import re
import resource
import statistics
import subprocess
import time


def timed(cmd, env=None, cpu=None, **kw):
    """Runs cmd (list) and returns wall seconds; raises on failure. When `cpu`
    is a list, appends the child's CPU seconds (user + sys) to it: on a shared
    machine CPU time is the steadier measure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return dt


def median_of(n, fn):
    return statistics.median(fn() for _ in range(n))


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
