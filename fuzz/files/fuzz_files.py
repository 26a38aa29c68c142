#!/usr/bin/python3
"""File-level fuzzer: damaged copies of real HDF5 files through every h5dig command.

    fuzz_files.py --h5dig build/h5dig --copies 3000 --out build/fuzz-files [--jobs 2]

Seeds: the ls fixtures (tests/interop/ls_fixtures.py), the foreign corpus
(tests/interop/foreign/make_corpus.py: PyTables, netCDF, h5py files) and an archive
made by `h5dig zip`; all written at run time under OUT/seeds. Copy i is seed i mod
the seed count, damaged by mutate.mutation() drawn from Random("NAME:i") (mutate.py),
so a run is repeatable and `--start` resumes it. Each copy goes through

    ls -rvd, ls --json -r, chunks, read -o, cat, repack, unzip -C, verify

and a run FAILS on a copy when a command
  - ends by a signal, or runs past --bound seconds (h5dig's --watchdog is --watchdog),
  - exits with anything but 0, 1, 2 or 3,
  - fails (exit != 0) with anything but exactly one error line on stderr ("h5dig: note:"
    lines are not errors; unzip: one line
    per refused member, naming it, then one summary line, as documented),
  - leaves an output behind: a temporary `.*.h5dig-*.tmp`, or read/repack's output
    after a failure.
h5ls -rvd runs on every copy too, in a process group of its own (killed whole at the
timeout); where h5ls crashes or hangs is counted, not failed. The summary (counts,
exits by command and code, every failure with the operations that reproduce it) is
printed and written to OUT/summary.json; failing copies are kept in OUT/failures/.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "interop" / "foreign"))
import mutate  # noqa: E402

MAX_SEED_BYTES = 4 << 20  # keeps a copy's commands fast


def make_seeds(h5dig, seeds):
    """Writes the seed files (once) and returns them, sorted."""
    if not (seeds / ".done").exists():
        shutil.rmtree(seeds, ignore_errors=True)
        (seeds / "fixtures").mkdir(parents=True)
        subprocess.run([sys.executable, str(ROOT / "tests/interop/ls_fixtures.py"), str(seeds / "fixtures")],
                       check=True, capture_output=True, timeout=300)
        import make_corpus
        make_corpus.make_corpus(seeds / "corpus")
        tree = seeds / "tree"
        (tree / "sub").mkdir(parents=True)
        (tree / "README.txt").write_text("a small tree for the archive seed\n")
        (tree / "sub" / "numbers.bin").write_bytes(bytes(range(256)) * 64)
        (tree / "sub" / "empty").write_bytes(b"")
        os.symlink("README.txt", tree / "link")
        (seeds / "archive").mkdir()
        subprocess.run([h5dig, "zip", str(seeds / "archive" / "tree.h5"), str(tree)], check=True,
                       capture_output=True, timeout=120)
        (seeds / ".done").write_text("")
    import make_corpus
    files = [p for p in seeds.rglob("*") if p.is_file() and make_corpus.is_hdf5(p)
             and p.stat().st_size <= MAX_SEED_BYTES]
    return sorted(files)


def seed_datasets(path):
    """(all datasets, chunked datasets) of an intact seed, by h5py."""
    import h5py
    found, chunked = [], []
    try:
        with h5py.File(path, "r") as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    found.append("/" + name)
                    try:
                        if obj.chunks:
                            chunked.append("/" + name)
                    except Exception:
                        pass
            f.visititems(visit)
    except Exception:
        pass
    return found, chunked


def commands(copy, dset, chunked):
    """(name, argv relative to the copy's directory, outputs that must not survive a failure)."""
    name = copy.name
    obj = f"{name}{dset}" if dset else name
    cobj = f"{name}{chunked}" if chunked else obj
    return [
        ("ls -rvd", ["ls", "-rvd", name], []),
        ("ls --json", ["ls", "--json", "-r", name], []),
        ("chunks", ["chunks", cobj], []),
        ("read", ["read", "-t", "2", "-o", "out.npy", obj], ["out.npy"]),
        ("cat", ["cat", obj], []),
        ("repack", ["repack", "-t", "2", name, "repacked.h5"], ["repacked.h5"]),
        ("unzip", ["unzip", "-t", "2", "-C", "extracted", name], []),
        ("verify", ["verify", "-t", "2", name], []),
    ]


def run_bounded(argv, cwd, bound, env):
    """Runs argv in its own process group; returns (returncode or None on timeout, stderr)."""
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        _, err = p.communicate(timeout=bound)
        return p.returncode, err.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the whole group: HDF5 tools fork nothing, but be sure
        p.communicate()
        return None, ""


def one_error(command, name, lines):
    """A failure reports itself in one line. unzip's contract (docs/archive.md) is like
    tar's: one line per member it refused or could not extract, naming the member,
    then one summary line; those member lines are allowed, nothing else."""
    if len(lines) == 1:
        return True
    if command != "unzip" or not lines:
        return False
    members = lines[:-1]
    return len(set(members)) == len(members) and all(l.startswith(f"h5dig: {name}/") for l in members)


def leftovers(workdir):
    return sorted(str(p.relative_to(workdir)) for p in workdir.rglob("*") if ".h5dig-" in p.name and p.name.endswith(".tmp"))


def fuzz_copy(i, seeds, infos, args, env):
    seed = seeds[i % len(seeds)]
    data = seed.read_bytes()
    label = f"{seed.parent.name}/{seed.name}"
    ops = mutate.mutation(data, random.Random(f"{label}:{i}"))
    damaged = mutate.apply(data, ops)
    dsets, chunked = infos[seed]
    pick = random.Random(f"pick:{label}:{i}")
    dset = pick.choice(dsets) if dsets else ""
    cdset = pick.choice(chunked) if chunked else dset
    result = {"copy": i, "seed": label, "ops": ops, "runs": {}, "failures": []}
    with tempfile.TemporaryDirectory(prefix=f"copy{i}-", dir=args.out / "work") as wd:
        wd = Path(wd)
        copy = wd / seed.name
        copy.write_bytes(damaged)
        for cname, argv, outputs in commands(copy, dset, cdset):
            t0 = time.monotonic()
            rc, err = run_bounded([args.h5dig, "--watchdog", str(args.watchdog)] + argv, wd, args.bound, env)
            secs = time.monotonic() - t0
            lines = [l for l in err.splitlines() if l.strip()]
            if any("crashed inside HDF5" in l for l in lines):
                result.setdefault("isolated", []).append((cname, "crash"))
            if any("no progress for" in l for l in lines):
                result.setdefault("isolated", []).append((cname, "hang"))
            # Notes ("reading with H5Dread (one thread)") are not errors.
            lines = [l for l in lines if not l.startswith("h5dig: note: ")]
            why = None
            if rc is None:
                why = f"ran past the bound ({args.bound}s)"
            elif rc < 0:
                why = f"ended by signal {signal.Signals(-rc).name}"
            elif rc not in (0, 1, 2, 3):
                why = f"exit code {rc}"
            elif rc != 0 and not one_error(cname, copy.name, lines):
                why = f"exit {rc} with {len(lines)} stderr lines"
            left = leftovers(wd)
            if rc not in (None, 0):
                left += [o for o in outputs if (wd / o).exists()]
            if left and not why:
                why = f"output left behind: {', '.join(left)}"
            result["runs"][cname] = {"rc": rc if rc is not None else "bound", "secs": round(secs, 3)}
            if why:
                result["failures"].append({"command": cname, "argv": argv, "why": why, "stderr": lines[:5]})
            # Clean the outputs of this command before the next one.
            for o in ("out.npy", "repacked.h5"):
                (wd / o).unlink(missing_ok=True)
            shutil.rmtree(wd / "extracted", ignore_errors=True)
        if args.h5ls:
            rc, _ = run_bounded([args.h5ls, "-rvd", seed.name], wd, args.h5ls_timeout, env)
            result["h5ls"] = "hang" if rc is None else ("crash" if rc < 0 else f"exit {rc}")
        if result["failures"]:
            keep = args.out / "failures" / f"copy{i}-{seed.name}"
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy, keep)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--h5dig", required=True)
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--start", type=int, default=0, help="first copy number (resume a run)")
    ap.add_argument("--out", type=Path, default=Path("build/fuzz-files"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--bound", type=float, default=60.0, help="seconds a command may take at most")
    ap.add_argument("--watchdog", type=float, default=10.0, help="h5dig's --watchdog for each command")
    ap.add_argument("--h5ls", default=shutil.which("h5ls") or "", help="h5ls to compare with ('' to skip)")
    ap.add_argument("--h5ls-timeout", type=float, default=10.0)
    args = ap.parse_args()
    args.h5dig = str(Path(args.h5dig).resolve())
    args.out = args.out.resolve()
    (args.out / "work").mkdir(parents=True, exist_ok=True)
    seeds = make_seeds(args.h5dig, args.out / "seeds")
    infos = {s: seed_datasets(s) for s in seeds}
    env = dict(os.environ, COLUMNS="80")
    env.pop("H5DIG_WATCHDOG", None)
    print(f"fuzz-files: {args.copies} copies of {len(seeds)} seeds, 8 commands each, {args.jobs} job(s)", flush=True)
    t0 = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(fuzz_copy, i, seeds, infos, args, env) for i in range(args.start, args.start + args.copies)]
        for n, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            r = fut.result()
            results.append(r)
            for f in r["failures"]:
                print(f"FAIL copy {r['copy']} {r['seed']} {f['command']}: {f['why']}; ops={r['ops']}; "
                      f"stderr={f['stderr'][:2]}", flush=True)
            if n % 100 == 0:
                print(f"fuzz-files: {n}/{args.copies} copies ({time.monotonic() - t0:.0f}s)", flush=True)
    results.sort(key=lambda r: r["copy"])
    exits = {}
    for r in results:
        for c, run in r["runs"].items():
            exits.setdefault(c, Counter())[str(run["rc"])] += 1
    h5ls = Counter(r.get("h5ls", "skipped") for r in results)
    h5ls_bad = [r for r in results if r.get("h5ls") in ("crash", "hang")]
    failures = [r for r in results if r["failures"]]
    summary = {
        "copies": len(results), "seeds": len(seeds), "seconds": round(time.monotonic() - t0, 1),
        "commands_run": sum(len(r["runs"]) for r in results),
        "exits": {c: dict(sorted(v.items())) for c, v in exits.items()},
        "h5ls": dict(h5ls),
        "h5ls_crashed_or_hung": len(h5ls_bad),
        "h5ls_bad_but_h5dig_clean": sum(1 for r in h5ls_bad if not r["failures"]),
        "h5dig_worker_crashes": sum(1 for r in results for c in r.get("isolated", []) if c[1] == "crash"),
        "h5dig_worker_hangs": sum(1 for r in results for c in r.get("isolated", []) if c[1] == "hang"),
        "isolated": [{"copy": r["copy"], "seed": r["seed"], "ops": r["ops"], "runs": r["isolated"]}
                     for r in results if r.get("isolated")],
        "failed_copies": len(failures),
        "failures": [{k: r[k] for k in ("copy", "seed", "ops", "failures")} for r in failures],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    print(f"fuzz-files: {summary['copies']} copies, {summary['commands_run']} h5dig runs in {summary['seconds']}s")
    for c, v in summary["exits"].items():
        print(f"  {c:<10} exits: " + ", ".join(f"{k}: {n}" for k, n in v.items()))
    print(f"  h5ls -rvd: {dict(h5ls)}; crashed or hung on {len(h5ls_bad)} copies "
          f"({summary['h5ls_bad_but_h5dig_clean']} of them passed by h5dig)")
    print(f"  h5dig's worker: {summary['h5dig_worker_crashes']} crashes inside HDF5 and "
          f"{summary['h5dig_worker_hangs']} hangs reported as one error line")
    print(f"fuzz-files: {len(failures)} failing copies" + (f" (kept in {args.out / 'failures'})" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
