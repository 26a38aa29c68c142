"""Damaged files the file fuzzer (fuzz/files) found, kept as regression cases.

Each case names a seed (a file of the foreign corpus or of the ls fixtures, written
at test time) and the operations that damage it (fuzz/files/mutate.py: the fuzzer
prints them with every finding), so the damaged file is made again byte for byte;
nothing binary is committed. Every case runs the commands the fuzzer found failing
and requires what the fuzzer requires: an exit code of 0-3, no signal, a run within
the bound, exactly one error line when it fails, no temporary or failed output left.

`kind` says what the case was found doing:
  crash   HDF5 crashed: with H5DIG_NO_WORKER=1 (no worker process) the command must
          still die by a signal, or the case no longer tests the worker (regenerate
          it); with the worker it prints "crashed inside HDF5" naming the object.
  hang    HDF5 looped: with --watchdog 2 the command ends with "no progress for".
  clean   h5dig's own defect, fixed: an ordinary exit.
  cycle   a link cycle HDF5 does not see (damaged link count): ls -r stops at it.

found.json holds every crash and hang of the last full fuzzer run (docs/fuzzing.md):
test_found runs each again through the worker with the same requirements. Its seeds
are regenerated, so a case that no longer crashes the same way still has to end
cleanly; the hand-picked CASES above also prove that they still crash without it.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT / "fuzz" / "files"))
sys.path.insert(0, str(ROOT / "tests" / "interop" / "foreign"))
import mutate  # noqa: E402

H5DIG = os.environ.get("H5DIG", str(ROOT / "build" / "h5dig"))
BOUND = 120

# (seed: writer/file, operations, argv after h5dig with X for the damaged file, kind, in the message)
CASES = [
    ("h5py/h5py_types.h5", [("put", 3061, 8, 33534)], ["repack", "X", "out.h5"], "crash", "vlen_ascii"),
    ("h5py/h5py_types.h5", [("zero", 3125, 4)], ["repack", "X", "out.h5"], "crash", "vlen_utf8_2d"),
    ("pytables/pytables_attrs.h5", [("zero", 2702, 16), ("put", 2033, 4, 43536)], ["ls", "-rvd", "X"], "crash",
     "/group"),
    ("ncgen/nc4_types.nc", [("flip", 2309, 7)], ["ls", "-rvd", "X"], "crash", "X: /:"),
    ("netcdf4/netcdf4_dataset.nc",
     [("flip", 24919, 7), ("flip", 798, 4), ("flip", 2689, 0), ("flip", 4024, 3), ("put", 3214, 2, 0),
      ("put", 2513, 8, 5)], ["ls", "-rvd", "X"], "hang", "X: /:"),
    # h5dig's own: an extent beyond its maximum (19 billion fill values) is not printed.
    ("fixtures/layouts.h5", [("put", 1738, 2, 28908), ("flip", 2532, 1), ("flip", 6046, 7)], ["ls", "-rvd", "X"],
     "clean", None),
    # /a/back is a hard link to the root; the root's link count, 2, damaged to 1: H5Lvisit
    # no longer sees the cycle and h5ls -r prints /a/back/a/back/... until HDF5 gives up.
    ("custom/cycle.h5", [("put", 100, 4, 1)], ["ls", "-r", "X"], "cycle", "link cycle"),
    ("custom/cycle.h5", [("put", 100, 4, 1)], ["ls", "--json", "-r", "X"], "cycle", "link cycle"),
]


FOUND = json.loads((HERE / "found.json").read_text())


def write_cycle(path):
    import h5py
    import numpy as np
    with h5py.File(path, "w") as f:
        f.create_group("a")["d"] = np.arange(3)
        f["a/back"] = f["/"]
    head = path.read_bytes()[96:104]
    # The root's object header (version 1) sits at 96, its link count at 100.
    assert head[0] == 1 and int.from_bytes(head[4:8], "little") == 2, head.hex()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    writers = sorted(({c[0].split("/")[0] for c in CASES} | {c["seed"].split("/")[1] for c in FOUND
                                                               if c["seed"].startswith("corpus/")})
                     - {"fixtures", "custom"})
    import make_corpus
    make_corpus.make_corpus(out, writers)
    (out / "custom").mkdir()
    write_cycle(out / "custom" / "cycle.h5")
    (out / "fixtures").mkdir()
    subprocess.run([sys.executable, str(ROOT / "tests/interop/ls_fixtures.py"), str(out / "fixtures")], check=True,
                   capture_output=True, timeout=300)
    return out


def run(argv, cwd, env=None, bound=BOUND):
    p = subprocess.Popen([H5DIG] + argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True, env=dict(os.environ, **(env or {})))
    try:
        out, err = p.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        pytest.fail(f"h5dig {' '.join(argv)} ran past {bound}s")
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[2][0]}-{i}" for i, c in enumerate(CASES)])
def test_damaged(case, seeds, tmp_path):
    seed, ops, argv, kind, where = case
    seed_path = seeds / seed
    damaged = tmp_path / seed_path.name
    damaged.write_bytes(mutate.apply(seed_path.read_bytes(), ops))
    argv = [damaged.name if a == "X" else a for a in argv]
    if kind == "hang":
        argv = ["--watchdog", "2"] + argv
    if kind == "crash":
        rc, _, _ = run(argv, tmp_path, {"H5DIG_NO_WORKER": "1"})
        assert rc < 0, f"without the worker the case no longer crashes (exit {rc}): regenerate it"
        for p in tmp_path.iterdir():
            if p != damaged:
                p.unlink()  # what the crash left behind, before the real run
    rc, out, err = run(argv, tmp_path)
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith("h5dig: note: ")]
    assert rc in (0, 1, 2, 3), f"exit {rc}: {err}"
    if rc != 0:
        assert len(lines) == 1, err
    left = sorted(p.name for p in tmp_path.iterdir() if p != damaged)
    assert not left or rc == 0, f"left behind after exit {rc}: {left}"
    if kind == "crash":
        assert rc == 1 and "crashed inside HDF5 (SIG" in err, err
        assert where.replace("X", damaged.name) in err, err
    elif kind == "hang":
        assert rc == 1 and "no progress for 2s" in err, err
        assert where.replace("X", damaged.name) in err, err
        assert "Attribute:" in out  # the listing up to the damaged object is kept
    elif kind == "cycle":
        assert rc == 1 and where in err, err
        if "--json" not in argv:  # the listing up to the cycle is kept
            assert any(l.startswith("/a ") for l in out.splitlines()) and "/a/back/a" not in out, out[:2000]
    if kind == "crash" and argv[0] == "ls":
        assert out.startswith('Opened "'), "the listing up to the damaged object is kept"


def found_seed(seeds, name):
    """found.json names seeds as the fuzzer's seed tree does: corpus/WRITER/FILE, fixtures/FILE."""
    parts = name.split("/")
    return seeds.joinpath(*(parts[1:] if parts[0] == "corpus" else parts))


@pytest.mark.parametrize("case", FOUND, ids=[f"copy{c['copy']}-{c['argv'][0]}-{c['kind']}" for c in FOUND])
def test_found(case, seeds, tmp_path):
    seed_path = found_seed(seeds, case["seed"])
    damaged = tmp_path / seed_path.name
    damaged.write_bytes(mutate.apply(seed_path.read_bytes(), [tuple(op) for op in case["ops"]]))
    argv = ["--watchdog", "2"] + [damaged.name + a[1:] if a.startswith("X") else a for a in case["argv"]]
    rc, _, err = run(argv, tmp_path)
    lines = [l for l in err.splitlines() if l.strip() and not l.startswith("h5dig: note: ")]
    assert rc in (0, 1, 2, 3), f"exit {rc}: {err}"
    if rc != 0 and case["argv"][0] != "unzip":
        assert len(lines) == 1, err
    if rc != 0 and case["argv"][0] == "unzip":  # one line per refused member, then the summary
        assert lines and all(l.startswith(f"h5dig: {damaged.name}/") for l in lines[:-1]), err
    left = [str(p) for p in tmp_path.rglob("*") if ".h5dig-" in p.name]
    if rc != 0:
        left += [o for o in ("out.npy", "repacked.h5") if (tmp_path / o).exists()]
    assert not left, f"left behind after exit {rc}: {left}"
