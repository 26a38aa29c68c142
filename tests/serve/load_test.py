#!/usr/bin/env python3
"""Bounded load test of `h5dig serve`: `wrk` on loopback for 20 s of 1024x1024 uint16
frame slices (binary, as H5Web asks for them) from the bitshuffle+LZ4 and the
shuffle+deflate frames of fixtures.py. Fails on any failed request (socket error or
non-2xx answer) or when the server's RSS grows by more than the selection bound;
prints the RSS before and after.

    /usr/bin/python3 tests/serve/load_test.py [--seconds 20] [--connections 8]

The server is H5DIG_SERVE_CMD (default: BUILD/h5dig serve), as for the API tests.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures as fx  # noqa: E402
from conftest import Server  # noqa: E402

MAX_RSS_GROWTH_MIB = 256  # h5dig serve's default selection bound

# wrk cycles through the frames of both datasets, one request each.
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()[0] if value.split() else "0"
    return int(fields["VmRSS"]), int(fields["VmHWM"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("load test: wrk is not installed (scripts/install-deps installs it)")

    with tempfile.TemporaryDirectory(prefix="h5dig-load-") as tmp:
        served = Path(tmp) / "served"
        served.mkdir()
        fx.write_frames(served / "frames.h5")
        server = Server([served / "frames.h5"])
        try:
            targets = [f"/data?file=frames.h5&path=/entry/data/{name}&selection={k}&format=bin&dtype=safe"
                       for name in ("data", "data_deflate") for k in range(fx.FRAME_SHAPE[0])]
            for t in targets:  # warm up: every frame once, and check it is served
                r = server.get_raw(t)
                assert r.status == 200 and len(r.body) == 1024 * 1024 * 2, (t, r.status, r.body[:200])
            before, _ = rss_kib(server.proc.pid)
            script = Path(tmp) / "frames.lua"
            script.write_text(LUA % ", ".join(f'"{t}"' for t in targets))
            wrk = subprocess.run(["wrk", "-t", str(args.threads), "-c", str(args.connections),
                                  "-d", f"{args.seconds}s", "--latency", "-s", str(script), server.url],
                                 capture_output=True, text=True, timeout=args.seconds + 60)
            print(wrk.stdout)
            after, peak = rss_kib(server.proc.pid)
            alive = server.get_raw(targets[0]).status == 200
        finally:
            code = server.stop()

    failures = []
    if wrk.returncode != 0:
        failures.append(f"wrk failed ({wrk.returncode}): {wrk.stderr.strip()}")
    requests = re.search(r"(\d+) requests in", wrk.stdout)
    if not requests or int(requests.group(1)) == 0:
        failures.append("no request completed")
    for pattern in (r"Socket errors:.*", r"Non-2xx or 3xx responses: \d+"):
        m = re.search(pattern, wrk.stdout)
        if m:
            failures.append(m.group(0))
    if not alive:
        failures.append("the server stopped answering after the load")
    growth_mib = (after - before) / 1024
    print(f"load test: server RSS before {before / 1024:.1f} MiB, after {after / 1024:.1f} MiB "
          f"(growth {growth_mib:+.1f} MiB), peak {peak / 1024:.1f} MiB; exit status {code}")
    if growth_mib > MAX_RSS_GROWTH_MIB:
        failures.append(f"RSS grew by {growth_mib:.0f} MiB (> {MAX_RSS_GROWTH_MIB} MiB)")
    for f in failures:
        print(f"load test: FAILED: {f}")
    if not failures:
        print("load test: OK, no failed request")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
