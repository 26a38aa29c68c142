"""pytest plumbing for the `h5dig serve` API tests: the fixture files, servers started
on a free loopback port, and an HTTP client that never raises on 4xx/5xx.

The server under test is `H5DIG_SERVE_CMD` (split at spaces; default: BUILD/h5dig serve,
BUILD from H5DIG_BUILD_DIR, default build/). It is run as
    CMD [--max-selection SIZE] --port 0 --bind 127.0.0.1 [--web-root DIR] FILE|DIR...
and must print its URL (the first http://... on stdout) once it accepts connections.
To run the same tests against the h5grove reference (docs/serve-api.md):
    H5GROVE_SRC=/tmp/h5grove/src H5DIG_SERVE_CMD="/usr/bin/python3 tests/serve/h5grove_reference.py" \
        /usr/bin/python3 -m pytest tests/serve -m "not h5dig_only"
Tests marked h5dig_only pin what h5dig does where h5grove differs (path safety, the
selection bound, 400s for malformed queries, one-line chunk errors...).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import fixtures as fx  # noqa: E402


def build_dir() -> Path:
    return (REPO / os.environ.get("H5DIG_BUILD_DIR", "build")).resolve()


def h5dig_binary() -> Path:
    return build_dir() / "h5dig"


def serve_command() -> list[str]:
    cmd = os.environ.get("H5DIG_SERVE_CMD")
    if cmd:
        return cmd.split()
    return [str(h5dig_binary()), "serve"]


def is_reference() -> bool:
    return "h5grove_reference" in " ".join(serve_command())


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "h5dig_only: h5dig's behaviour where the h5grove reference differs")


def has_serve(binary: Path) -> bool:
    """`h5dig serve --help` succeeds and is serve's own help (CLI11 answers an unknown
    subcommand followed by --help with the main help and exit status 0)."""
    if not binary.exists():
        return False
    r = subprocess.run([str(binary), "serve", "--help"], capture_output=True, text=True)
    return r.returncode == 0 and "h5dig serve" in r.stdout


def pytest_sessionstart(session):
    if not os.environ.get("H5DIG_SERVE_CMD") and not has_serve(h5dig_binary()):
        pytest.exit(f"SKIPPED: {h5dig_binary()} has no serve subcommand yet", returncode=0)


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body)

    @property
    def message(self) -> str:
        return self.json()["message"]


class Server:
    """One server process on a free loopback port (--port 0; the URL is read from
    its stdout)."""

    def __init__(self, paths, extra_args=(), env=None, web_root=None, command=None):
        args = [*(command or serve_command()), *extra_args, "--port", "0", "--bind", "127.0.0.1"]
        if web_root:
            args += ["--web-root", str(web_root)]
        args += [str(p) for p in paths]
        self.proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**os.environ, **(env or {})}, text=True)
        self.url = self._read_url()
        # Keep reading both pipes: a server that logs every request must never block.
        self.stderr_tail: list[str] = []
        threading.Thread(target=self._drain, args=(self.proc.stdout, None), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr_tail),
                         daemon=True).start()

    def _read_url(self) -> str:
        out = []
        timer = threading.Timer(60, self.proc.kill)
        timer.start()
        try:
            for line in self.proc.stdout:
                out.append(line)
                m = re.search(r"http://\S+", line)
                if m:
                    return m.group(0).rstrip("/")
        finally:
            timer.cancel()
        err = self.proc.stderr.read()
        raise RuntimeError(f"server printed no URL (exit {self.proc.wait()}): {''.join(out)}{err}")

    @staticmethod
    def _drain(stream, tail):
        for line in stream:
            if tail is not None:
                tail.append(line)
                del tail[:-50]

    def get(self, endpoint: str, method: str = "GET", **params) -> Response:
        """GET endpoint?params; list values repeat the key (attr_keys=a&attr_keys=b)."""
        query = urllib.parse.urlencode(params, doseq=True)
        return self.get_raw(f"{endpoint}?{query}" if query else endpoint, method)

    def get_raw(self, target: str, method: str = "GET") -> Response:
        request = urllib.request.Request(self.url + target, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def stop(self, sig=signal.SIGINT, timeout=15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"server ignored signal {sig} for {timeout} s")
        return self.proc.returncode


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serve")
    h5dig = h5dig_binary()
    fx.make(out, str(h5dig) if h5dig.exists() else None)
    return out


@pytest.fixture(scope="session")
def served(fixture_dir) -> Path:
    return fixture_dir / "served"


@pytest.fixture(scope="session")
def server(served):
    s = Server([served])
    yield s
    s.stop()


@pytest.fixture
def start_server():
    """Starts extra servers (other arguments, options or environment); stops them."""
    started = []

    def start(*args, **kwargs):
        s = Server(*args, **kwargs)
        started.append(s)
        return s
    yield start
    for s in started:
        s.stop()
