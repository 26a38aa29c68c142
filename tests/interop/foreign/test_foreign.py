#!/usr/bin/python3
"""The foreign interop walk: every object of every file of the foreign corpus
(make_corpus.py: files that PyTables, netCDF, h5py and HDF5 wrote) through h5dig,
against h5ls 1.10.8, HDF5 (through h5py) and PyTables. docs/foreign-files.md
describes it and every defect it finds.

Checks (the names used in expected_failures.py):

  ls FLAGS        `h5dig ls FLAGS FILE` for FLAGS in -r -rv -rd -rvd -rS -rva -rdS (object "/"),
                  `ls -va` and `ls -vd` on every dataset, `ls -v` on every group, named type
                  and link: stdout byte-identical to h5ls's wherever h5ls exits 0 in time
                  (where h5ls says "Unable to print data." for data HDF5 has no filter for,
                  h5dig may print the values instead); where h5ls fails (exit != 0, signal,
                  time bound) h5dig must end cleanly (exit 0 or 1, within the bound, at most
                  one line on stderr) and the case must be in docs/ls.md's table of h5ls
                  failures (test_h5ls_failures_are_documented).
  chunks          `h5dig chunks --format json` == h5py's dsid.get_chunk_info for every chunked
                  dataset (byte offsets plus the userblock, which HDF5 1.10 leaves out).
  read --verify   `h5dig read --verify`: exit 0, "identical to H5Dread". For data HDF5 cannot
                  decode (LZO), "read --verify (no HDF5 filter)": exit 1 with one line.
  read -o npy     `h5dig read -o X.npy`: numpy.load gives h5py's dtype, shape and values (vlen
                  strings as numpy's '<U{longest}'; PyTables reads what h5py cannot decode
                  (LZO); types numpy has no equivalent for (time, tagged opaque) compare the
                  bytes H5Dread gives with the file type).
  read -o json    datasets holding variable-length data: `h5dig read -o X.json` gives nested
                  lists (see expected_json below).
  read refused    reference data, and data neither h5py nor PyTables reads: `read` refuses it
                  (documented for references): exit 1, one line.
  ls --json       `h5dig ls --json -r FILE` parses ("ls --json -r"), and every object in it
                  agrees with HDF5 ("ls --json"): kind, address, links, space, shape, maxshape,
                  the whole type, layout, chunks, filters, allocated bytes, attributes, links.

Honesty: every case runs; a failing case must be in EXPECTED_FAILURES (expected_failures.py,
keyed (file, object, check) -> defect id) and an expected failure that passes fails the test
too, so the table can only shrink. Set H5DIG_FOREIGN_REPORT=FILE.json to get every case's
result and details; H5DIG_FOREIGN_CORPUS=DIR to write (and keep) the corpus there;
H5DIG_FOREIGN_JOBS=N for the number of commands run at once.

Run: ctest -R Interop.ForeignCorpus, or
     H5DIG=build/h5dig python3 -m pytest -q -p no:cacheprovider tests/interop/foreign
"""
import concurrent.futures
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pytest
from h5py import h5a, h5d, h5o, h5s, h5t, h5z

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402
from expected_failures import DEFECTS, EXPECTED_FAILURES  # noqa: E402

SOURCE_DIR = HERE.parents[2]
H5DIG = os.path.abspath(os.environ.get("H5DIG", str(SOURCE_DIR / "build" / "h5dig")))
H5LS = "/usr/bin/h5ls"
FILE_FLAGS = ["-r", "-rv", "-rd", "-rvd", "-rS", "-rva", "-rdS"]
# Each dataset on its own too: a failure early in a file's listing hides the rest of it.
OBJECT_FLAGS = ["-va", "-vd"]
# h5ls 1.10.8 crashes on some files and runs for minutes on others: every run is bounded.
H5LS_BOUND = 20.0
H5DIG_BOUND = 20.0
JOBS = int(os.environ.get("H5DIG_FOREIGN_JOBS", "0")) or min(4, (os.cpu_count() or 2) + 1)


# ------------------------------------------------------------------ running

@dataclass
class Run:
    rc: int            # exit code; -SIGNAL when killed by a signal; None when past the bound
    out: bytes
    err: bytes
    seconds: float

    @property
    def timed_out(self):
        return self.rc is None

    def describe(self):
        if self.rc is None:
            return f"ran past {self.seconds:.0f} s (killed)"
        if self.rc < 0:
            return f"killed by signal {-self.rc}"
        return f"exit {self.rc}"


def run(argv, cwd, bound):
    env = dict(os.environ)
    env.pop("COLUMNS", None)  # h5ls and h5dig both take the data width from it
    start = time.monotonic()
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=bound)
        return Run(p.returncode, p.stdout, p.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as e:
        return Run(None, e.stdout or b"", e.stderr or b"", time.monotonic() - start)


# -------------------------------------------------------------------- corpus

@dataclass
class Obj:
    file: Path          # absolute path of the file
    name: str           # the file as keyed in EXPECTED_FAILURES: "writer/file.h5"
    path: str           # absolute path inside the file
    kind: str           # group, dataset, datatype, soft_link, external_link
    info: dict = field(default_factory=dict)


def object_inventory(file, name):
    """Every object of `file` as HDF5 (through h5py's low-level API) sees it: the
    first path of each hard-linked object, and soft/external links."""
    objs = []
    seen = set()
    with h5py.File(file, "r") as f:
        def visit(group, prefix):
            for member in sorted(group.keys()):
                path = prefix + member
                link = group.get(member, getlink=True)
                if isinstance(link, h5py.SoftLink):
                    objs.append(Obj(file, name, path, "soft_link", {"target": link.path}))
                    continue
                if isinstance(link, h5py.ExternalLink):
                    objs.append(Obj(file, name, path, "external_link",
                                    {"target": link.path, "target_file": link.filename}))
                    continue
                try:
                    o = group[member]
                except Exception:  # noqa: BLE001 - unreadable: h5dig's listing must say so itself
                    continue
                addr = h5o.get_info(o.id).addr
                if addr in seen:
                    continue
                seen.add(addr)
                if isinstance(o, h5py.Group):
                    objs.append(Obj(file, name, path, "group", describe_common(o)))
                    visit(o, path + "/")
                elif isinstance(o, h5py.Dataset):
                    objs.append(Obj(file, name, path, "dataset", describe_dataset(o)))
                else:
                    objs.append(Obj(file, name, path, "datatype",
                                    dict(describe_common(o), type_facts=type_facts(o.id))))
        seen.add(h5o.get_info(f.id).addr)
        root = Obj(file, name, "/", "group", describe_common(f["/"]))
        visit(f, "/")
        userblock = f.userblock_size
    return root, objs, userblock


def has_undecodable_data(objs):
    """True when a dataset of the file needs a filter this HDF5 cannot load (LZO)."""
    return any(o.info["undecodable"] for o in objs if o.kind == "dataset")


TYPE_CLASSES = {h5t.INTEGER: "integer", h5t.FLOAT: "float", h5t.STRING: "string",
                h5t.BITFIELD: "bitfield", h5t.OPAQUE: "opaque", h5t.COMPOUND: "compound",
                h5t.REFERENCE: "reference", h5t.ENUM: "enum", h5t.VLEN: "vlen", h5t.ARRAY: "array",
                h5t.TIME: "time"}


def type_class(tid):
    return TYPE_CLASSES.get(tid.get_class(), "unknown")


def type_summary(tid):
    """Class, size and (for the walk's own use) whether vlen data or references hide inside."""
    cls = type_class(tid)
    summary = {"class": cls, "size": tid.get_size(), "has_vlen": False, "has_ref": cls == "reference",
               "vlen_string": False}
    if cls == "string" and tid.is_variable_str():
        summary["has_vlen"] = summary["vlen_string"] = True
    elif cls == "vlen":
        summary["has_vlen"] = True
    if cls == "compound":
        for i in range(tid.get_nmembers()):
            inner = type_summary(tid.get_member_type(i))
            summary["has_vlen"] |= inner["has_vlen"]
            summary["has_ref"] |= inner["has_ref"]
    elif cls in ("array", "vlen"):
        inner = type_summary(tid.get_super())
        summary["has_vlen"] |= inner["has_vlen"]
        summary["has_ref"] |= inner["has_ref"]
        # An array of vlen strings: h5py gives strings along the array's extra dims.
        summary["vlen_string"] = cls == "array" and inner["vlen_string"]
    if cls == "time" or (cls == "opaque" and tid.get_tag()):
        summary["no_numpy"] = True  # h5py cannot read these; compare raw bytes
    if cls == "compound":
        summary["no_numpy"] = any(type_summary(tid.get_member_type(i)).get("no_numpy")
                                  for i in range(tid.get_nmembers()))
    return summary


def type_facts(tid):
    """What HDF5 says about a datatype, in `ls --json`'s words (docs/ls-json.md), for
    comparing with its "type" object key by key."""
    cls = type_class(tid)
    facts = {"class": cls, "size": tid.get_size()}
    if cls in ("integer", "float", "bitfield"):
        facts["order"] = {h5t.ORDER_LE: "little", h5t.ORDER_BE: "big"}.get(tid.get_order(), "other")
    if cls == "integer":
        facts["signed"] = tid.get_sign() == h5t.SGN_2
    if cls == "string":
        facts["variable"] = bool(tid.is_variable_str())
        facts["padding"] = {h5t.STR_NULLTERM: "nullterm", h5t.STR_NULLPAD: "nullpad",
                            h5t.STR_SPACEPAD: "spacepad"}.get(tid.get_strpad(), "unknown")
        facts["charset"] = {h5t.CSET_ASCII: "ascii", h5t.CSET_UTF8: "utf-8"}.get(tid.get_cset(), "unknown")
    if cls == "compound":
        facts["members"] = [{"name": tid.get_member_name(i).decode("utf-8", "surrogateescape"),
                             "offset": tid.get_member_offset(i), "type": type_facts(tid.get_member_type(i))}
                            for i in range(tid.get_nmembers())]
    if cls == "enum":
        base = tid.get_super()
        facts["values"] = {tid.get_member_name(i).decode("utf-8", "surrogateescape"): str(tid.get_member_value(i))
                           for i in range(tid.get_nmembers())}
        facts["base"] = type_facts(base)
    if cls == "array":
        facts["dims"] = list(tid.get_array_dims())
    if cls in ("array", "vlen"):
        facts["base"] = type_facts(tid.get_super())
    if cls == "opaque" and tid.get_tag():
        facts["tag"] = tid.get_tag().decode("utf-8", "surrogateescape")
    if cls == "reference":
        facts["reference"] = ("object" if tid == h5t.STD_REF_OBJ else
                              "region" if tid == h5t.STD_REF_DSETREG else "other")
    return facts


def facts_disagree(where, want, have, wrong):
    """Appends to `wrong` every key of `want` (recursively) that `have` states differently."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            wrong.append(f"{where}: {have!r}, HDF5 {want!r}")
            return
        for key, value in want.items():
            facts_disagree(f"{where}.{key}", value, have.get(key), wrong)
    elif isinstance(want, list) and want and isinstance(want[0], dict):
        if not isinstance(have, list) or len(have) != len(want):
            wrong.append(f"{where}: {len(have) if isinstance(have, list) else have!r} entries, HDF5 {len(want)}")
            return
        for i, (w, h) in enumerate(zip(want, have)):
            facts_disagree(f"{where}[{i}]", w, h, wrong)
    elif want != have:
        wrong.append(f"{where}: {have!r}, HDF5 {want!r}")


def space_summary(sid):
    kind = {h5s.SCALAR: "scalar", h5s.SIMPLE: "simple", h5s.NULL: "null"}[sid.get_simple_extent_type()]
    out = {"space": kind}
    if kind == "simple":
        out["shape"] = list(sid.shape)
        out["maxshape"] = [None if m == h5s.UNLIMITED else m for m in sid.get_simple_extent_dims(True)]
    return out


def describe_common(o):
    attrs = {}
    for i in range(h5a.get_num_attrs(o.id)):
        a = h5a.open(o.id, index=i)
        attrs[a.name.decode("utf-8", "surrogateescape")] = dict(space_summary(a.get_space()),
                                                                type=type_summary(a.get_type()),
                                                                facts=type_facts(a.get_type()))
    info = h5o.get_info(o.id)
    return {"attributes": attrs, "address": info.addr, "links": info.rc}


def describe_dataset(d):
    info = describe_common(d)
    info.update(space_summary(d.id.get_space()))
    info["type"] = type_summary(d.id.get_type())
    info["type_facts"] = type_facts(d.id.get_type())
    info["allocated_bytes"] = d.id.get_storage_size()
    dcpl = d.id.get_create_plist()
    info["layout"] = {h5d.COMPACT: "compact", h5d.CONTIGUOUS: "contiguous", h5d.CHUNKED: "chunked",
                      h5d.VIRTUAL: "virtual"}[dcpl.get_layout()]
    if info["layout"] == "chunked":
        info["chunks"] = list(dcpl.get_chunk())
        info["filters"] = [dcpl.get_filter(i)[0] for i in range(dcpl.get_nfilters())]
    else:
        info["filters"] = []
    # Asked before PyTables is imported (see Walk.walk_corpus): it registers LZO with HDF5.
    assert "tables" not in sys.modules, "the inventory must run before PyTables is imported"
    info["undecodable"] = any(not h5z.filter_avail(fid) for fid in info["filters"])
    return info


# ------------------------------------------------------------- reference data

def reference_values(obj):
    """What HDF5 reads for a dataset: ("array", ndarray, dtype); ("raw", bytes, itemsize)
    for types numpy cannot hold (H5Dread with the file type: time, tagged opaque, 128-bit
    floats); ("rows", list) for a VLArray only PyTables reads; ("null",) for a null
    dataspace; ("none", reason) when nothing reads it. h5py first, then PyTables (its
    filters: LZO)."""
    t = obj.info["type"]
    os.chdir(obj.file.parent)  # external raw data and virtual sources are named relative to it
    with h5py.File(obj.file, "r") as f:
        d = f[obj.path]
        if obj.info["space"] == "null":
            return ("null",)
        try:
            dtype = d.dtype
        except (ValueError, TypeError):
            dtype = None  # no numpy equivalent (128-bit floats, time, ...): raw bytes
        if t.get("no_numpy") or dtype is None:
            tid = d.id.get_type()
            buf = np.empty(d.shape, dtype=f"V{tid.get_size()}")
            try:
                d.id.read(h5s.ALL, h5s.ALL, buf, mtype=tid)
            except Exception as e:  # noqa: BLE001
                return ("none", f"H5Dread: {e}")
            return ("raw", buf.tobytes(), tid.get_size())
        try:
            value = d[()]
            value = unswap_vlen(d.id.get_type(), value)
            # h5py expands an array element type into trailing dimensions.
            return ("array", value, np.asarray(value).dtype)
        except Exception as e:  # noqa: BLE001
            h5py_error = str(e)
    try:
        import tables
        with tables.open_file(str(obj.file), "r") as pt:
            value = pt.get_node(obj.path).read()
    except Exception as e:  # noqa: BLE001
        return ("none", f"h5py: {h5py_error}; PyTables: {e}")
    if isinstance(value, list):  # a VLArray: one array per row
        return ("rows", value)
    return ("array", value, np.empty((0,), dtype).dtype)


def unswap_vlen(tid, value):
    """h5py 3.7 reads a vlen sequence of big-endian numbers without swapping them: its
    arrays say '<u4' and hold the stored big-endian bytes (PyTables' vlunicode_big:
    'para\u0140lel' comes back as 1879048192, ...). Undo that, so the reference holds the
    values HDF5 (and PyTables) give."""
    if tid.get_class() != h5t.VLEN:
        return value
    base = tid.get_super()
    if base.get_class() not in (h5t.INTEGER, h5t.FLOAT) or base.get_order() != h5t.ORDER_BE or base.get_size() == 1:
        return value
    flat = np.asarray(value, dtype=object).reshape(-1)
    for i, a in enumerate(flat):
        if isinstance(a, np.ndarray) and a.dtype.byteorder in ("=", "<") and sys.byteorder == "little":
            flat[i] = a.byteswap()
    return flat.reshape(np.shape(value))


def decode_text(b):
    return b.decode("utf-8", "surrogateescape") if isinstance(b, bytes) else b


def expected_json(value):
    """The JSON `read -o X.json` should hold for a value h5py read: nested lists along
    the dataset's shape, array members and vlen sequences; compounds as objects keyed
    by member name; strings (fixed or variable) as text; numbers as numbers."""
    if isinstance(value, list):
        return [expected_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return [expected_json(v) for v in value] if value.ndim else expected_json(value[()])
    if isinstance(value, np.void) and value.dtype.names:
        return {n: expected_json(value[n]) for n in value.dtype.names}
    if isinstance(value, (bytes, str)):
        return decode_text(value)
    if isinstance(value, np.generic):
        return expected_json(value.item())
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, float) and value != value:
        return None
    return value


def values_equal(a, b):
    """Element-wise equality of two numpy arrays of the same dtype (NaN equals NaN),
    structured ones member by member."""
    if a.shape != b.shape:
        return False
    if a.dtype.names:
        return all(values_equal(a[n], b[n]) for n in a.dtype.names)
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def vlen_strings_to_unicode(value):
    text = np.vectorize(decode_text, otypes=[object])(value) if value.size else value
    longest = max((len(s) for s in text.flat), default=0)
    return np.asarray(text, dtype=f"<U{max(longest, 1)}").reshape(value.shape), f"<U{longest}"


# ------------------------------------------------------------------ the cases

@dataclass
class Case:
    file: str
    obj: str
    check: str
    ok: bool = False
    detail: str = ""
    h5ls_failure: str = ""   # non-empty: h5ls failed here (what it did)
    seconds: float = 0.0     # wall time of the check's commands

    @property
    def key(self):
        return (self.file, self.obj, self.check)


def first_difference(expected, actual):
    e = expected.decode("utf-8", "replace").splitlines()
    a = actual.decode("utf-8", "replace").splitlines()
    for i in range(max(len(e), len(a))):
        el = e[i] if i < len(e) else "<end of output>"
        al = a[i] if i < len(a) else "<end of output>"
        if el != al:
            return f"line {i + 1}: h5ls {el.strip()[:120]!r} / h5dig {al.strip()[:120]!r}"
    return "outputs differ in line endings"


def stderr_line(r):
    lines = r.err.decode("utf-8", "replace").strip().splitlines()
    return lines[0][:200] if lines else ""


def clean_failure(r):
    """h5dig's contract on input it cannot handle: exit 0 or 1 in time, one line at most."""
    if r.timed_out or r.rc not in (0, 1):
        return f"h5dig {r.describe()}"
    if len(r.err.decode("utf-8", "replace").strip().splitlines()) > 1:
        return f"h5dig printed {len(r.err.splitlines())} lines on stderr"
    return ""


def matches_h5ls(h5ls_out, h5dig_out, undecodable):
    """h5dig's listing equals h5ls's, byte for byte -- except, in a file with data
    that HDF5 has no filter for (LZO), where h5ls says "Unable to print data." for a
    dataset: there h5dig may print the values it decoded (a deliberate difference,
    docs/ls.md)."""
    if h5ls_out == h5dig_out:
        return True
    if not undecodable or b"Unable to print data." not in h5ls_out:
        return False
    e, a = h5ls_out.split(b"\n"), h5dig_out.split(b"\n")
    i = j = 0
    while i < len(e):
        if e[i] == b"    Data:" and i + 1 < len(e) and e[i + 1].strip() == b"Unable to print data.":
            if j >= len(a) or a[j] != e[i]:
                return False
            after = e[i + 2] if i + 2 < len(e) else None
            j += 1
            while j < len(a) and a[j] != after and a[j].startswith(b"  "):
                j += 1
            i += 2
            continue
        if j >= len(a) or a[j] != e[i]:
            return False
        i += 1
        j += 1
    return j == len(a)


def check_ls(case, target, flags, cwd, undecodable=False):
    h5ls = run([H5LS, *flags, target], cwd, H5LS_BOUND)
    h5dig = run([H5DIG, "ls", *flags, target], cwd, H5DIG_BOUND)
    if h5ls.rc == 0:
        if h5dig.rc == 0 and matches_h5ls(h5ls.out, h5dig.out, undecodable):
            case.ok = True
        elif h5dig.rc != 0:
            case.detail = f"h5dig {h5dig.describe()}: {stderr_line(h5dig)}"
        else:
            case.detail = first_difference(h5ls.out, h5dig.out)
        return case
    case.h5ls_failure = h5ls.describe()
    bad = clean_failure(h5dig)
    case.ok = not bad
    case.detail = bad or f"h5ls {h5ls.describe()}; h5dig exit {h5dig.rc} in {h5dig.seconds:.2f} s"
    return case


def check_chunks(case, obj, target, cwd, userblock):
    r = run([H5DIG, "chunks", "--format", "json", target], cwd, H5DIG_BOUND)
    if r.rc != 0:
        case.detail = f"h5dig {r.describe()}: {stderr_line(r)}"
        return case
    try:
        got = json.loads(r.out)
    except ValueError as e:
        case.detail = f"not JSON: {e}"
        return case
    with h5py.File(obj.file, "r") as f:
        dsid = f[obj.path].id
        expected = []
        for i in range(dsid.get_num_chunks()):
            info = dsid.get_chunk_info(i)
            expected.append((list(info.chunk_offset), info.filter_mask, info.byte_offset + userblock,
                             info.size))
    actual = [(c["offset"], c["filter_mask"], c["byte_offset"], c["size"]) for c in got["chunks"]]
    if got.get("chunk_shape") != obj.info["chunks"]:
        case.detail = f"chunk_shape {got.get('chunk_shape')} != {obj.info['chunks']}"
    elif sorted(actual) != sorted(expected):
        missing = sorted(set(map(repr, expected)) - set(map(repr, actual)))
        extra = sorted(set(map(repr, actual)) - set(map(repr, expected)))
        case.detail = (f"{len(actual)} chunks, H5Dget_chunk_info {len(expected)}; "
                       f"first missing {missing[:1]}, first extra {extra[:1]}")
    else:
        case.ok = True
    return case


def check_read_verify(case, target, cwd):
    r = run([H5DIG, "read", "--verify", target], cwd, H5DIG_BOUND)
    if r.rc == 0 and b"identical to H5Dread" in r.err:
        case.ok = True
    else:
        case.detail = f"h5dig {r.describe()}: {stderr_line(r)}"
    return case


def read_output(case, target, cwd, scratch, suffix, load):
    """Runs `h5dig read -o SCRATCH/X.suffix TARGET` and returns load(X.suffix); None (with
    case.detail saying why) when h5dig fails or the file does not load."""
    out = Path(scratch) / (re.sub(r"[^A-Za-z0-9]+", "_", f"{case.file}{case.obj}") + suffix)
    r = run([H5DIG, "read", "-o", str(out), target], cwd, H5DIG_BOUND)
    if r.rc != 0:
        case.detail = f"h5dig {r.describe()}: {stderr_line(r)}"
        return None
    try:
        return load(out)
    except Exception as e:  # noqa: BLE001
        case.detail = f"{suffix} output does not load: {e}"
        return None
    finally:
        out.unlink(missing_ok=True)


def check_read_npy(case, target, cwd, ref, vlen_string, scratch):
    got = read_output(case, target, cwd, scratch, ".npy", lambda p: np.load(p, allow_pickle=False))
    if got is None:
        return case
    if ref[0] == "null":
        case.ok = got.size == 0
        case.detail = "" if case.ok else f"null dataspace gave shape {got.shape}"
        return case
    if ref[0] == "raw":
        _, raw, itemsize = ref
        if got.dtype.itemsize != itemsize or got.tobytes() != raw:
            case.detail = f"dtype {got.dtype.str} ({got.dtype.itemsize} B), bytes differ from H5Dread's"
        else:
            case.ok = True
        return case
    _, value, dtype = ref
    value = np.asarray(value)
    if vlen_string:
        value, want = vlen_strings_to_unicode(value)
        dtype = np.dtype(want) if want != "<U0" else value.dtype
    dtype = npy_expressible(dtype)
    if got.dtype != dtype:
        case.detail = f"dtype {dtype_text(got.dtype)}, h5py {dtype_text(dtype)}"
    elif got.shape != value.shape:
        case.detail = f"shape {got.shape}, h5py {value.shape}"
    elif not values_equal(got, value.astype(dtype) if value.dtype != dtype and not value.dtype.names else value):
        bad = np.argwhere(got != value)[:1].tolist() if not got.dtype.names else "a member"
        case.detail = f"values differ (first at {bad})"
    else:
        case.ok = True
    return case


def npy_expressible(dtype):
    """h5py's dtype as a .npy file can hold it: a .npy header lists a structured
    dtype's fields in offset order (numpy.save refuses out-of-order fields), so a
    compound whose members are out of offset order is compared with its fields
    sorted by offset (same names, formats, offsets, itemsize and bytes)."""
    dtype = np.dtype(dtype)
    if not dtype.names:
        return dtype
    fields = sorted(((name, *dtype.fields[name][:2]) for name in dtype.names), key=lambda f: f[2])
    return np.dtype({"names": [f[0] for f in fields], "formats": [npy_expressible(f[1]) for f in fields],
                     "offsets": [f[2] for f in fields], "itemsize": dtype.itemsize})


def dtype_text(dtype):
    dtype = np.dtype(dtype)
    return str(dtype) if dtype.names or dtype.subdtype else dtype.str


def check_read_json(case, target, cwd, ref, scratch):
    if ref[0] == "raw":
        # Variable-length data h5py cannot read (PyTables' VLArrays of time): no values to
        # compare with. Empty, it is [] (a 1-D dataset: the corpus has no other); else
        # `read` must refuse it cleanly.
        if ref[1]:
            return check_read_refused(case, target, cwd, " (time-class values: h5py reads none)",
                                      ("-o", str(Path(scratch) / "refused.json")))
        ref = ("null",)
    got = read_output(case, target, cwd, scratch, ".json", lambda p: json.loads(p.read_text()))
    if got is None and case.detail:  # (a JSON null is a value: only a detail means failure)
        return case
    want = [] if ref[0] == "null" else expected_json(ref[1])
    case.ok = got == want
    if not case.ok:
        case.detail = f"JSON {json.dumps(got)[:100]} / h5py {json.dumps(want)[:100]}"
    return case


def check_read_refused(case, target, cwd, why="", args=()):
    """`read` (with `args`) must refuse (exit 1, one line on stderr): reference data,
    which h5dig's read documents it does not convert, datasets nothing else reads
    either, and --verify of data HDF5 cannot decode."""
    r = run([H5DIG, "read", *args, target], cwd, H5DIG_BOUND)
    nlines = len(r.err.decode("utf-8", "replace").strip().splitlines())
    case.ok = r.rc == 1 and nlines == 1
    case.detail = "" if case.ok else f"h5dig {r.describe()}, {nlines} stderr lines: {stderr_line(r)}{why}"
    return case


def json_disagreements(obj, j):
    """Where `h5dig ls --json`'s object `j` disagrees with what HDF5 says about `obj`."""
    wrong = []

    def same(key, want, have):
        if want != have:
            wrong.append(f"{key}: {have!r}, HDF5 {want!r}")

    same("kind", obj.kind, j.get("kind"))
    if obj.kind in ("soft_link", "external_link"):
        same("target", obj.info["target"], j.get("target"))
        if obj.kind == "external_link":
            same("target_file", obj.info["target_file"], j.get("target_file"))
        return wrong
    if "same_as" in j:
        return wrong
    info = obj.info
    have_attrs = {a.get("name"): a for a in j.get("attributes", [])}
    same("attribute names", sorted(info["attributes"]), sorted(have_attrs))
    for name, a in info["attributes"].items():
        h = have_attrs.get(name)
        if h is None:
            continue
        same(f"attribute {name} space", a["space"], h.get("space"))
        if a["space"] == "simple":
            same(f"attribute {name} shape", a["shape"], h.get("shape"))
        facts_disagree(f"attribute {name} type", a["facts"], h.get("type"), wrong)
    same("address", info["address"], j.get("address"))
    same("links", info["links"], j.get("links"))
    if obj.kind == "datatype":
        facts_disagree("type", info["type_facts"], j.get("type"), wrong)
    if obj.kind == "dataset":
        same("space", info["space"], j.get("space"))
        if info["space"] == "simple":
            same("shape", info["shape"], j.get("shape"))
            same("maxshape", info["maxshape"], j.get("maxshape"))
        facts_disagree("type", info["type_facts"], j.get("type"), wrong)
        same("layout", info["layout"], j.get("layout"))
        same("allocated_bytes", info["allocated_bytes"], j.get("allocated_bytes"))
        if info["layout"] == "chunked":
            same("chunks", info["chunks"], j.get("chunks"))
        same("filters", info["filters"], [flt.get("id") for flt in j.get("filters", [])])
    return wrong


# ---------------------------------------------------------------- the walk

def guarded(fn, *args):
    """Runs one check; an exception in the test's own code fails that case, visibly."""
    start = time.monotonic()
    try:
        result = fn(*args)
        first = result[0] if isinstance(result, list) else result
        first.seconds = time.monotonic() - start
        return result
    except Exception as e:  # noqa: BLE001
        case = next((a for a in args if isinstance(a, Case)), None)
        if case is None:
            raise
        case.ok = False
        case.detail = f"test error: {e!r}"
        return case


class Walk:
    def __init__(self, corpus_dir, scratch):
        self.corpus_dir = Path(corpus_dir)
        self.scratch = scratch
        self.cases = []
        self.files = []
        self.objects = 0
        self.seconds = 0.0

    def name_of(self, path):
        return str(Path(path).relative_to(self.corpus_dir))

    def run_all(self):
        start = time.monotonic()
        home = os.getcwd()
        try:
            self.walk_corpus(start)
        finally:
            os.chdir(home)

    def walk_corpus(self, start):
        # The corpus comes from make_corpus.py's command line (as the fuzzer makes it), in
        # a process of its own: PyTables registers its LZO filter with HDF5 in any process
        # that imports it, and the inventory below must see HDF5 as h5ls and h5dig do.
        made = subprocess.run([sys.executable, "-B", str(HERE / "make_corpus.py"), str(self.corpus_dir)],
                              capture_output=True, text=True, timeout=300)
        if made.returncode != 0:
            raise RuntimeError(f"make_corpus.py failed:\n{made.stderr}")
        files = [Path(line) for line in made.stdout.splitlines()]
        self.generate_seconds = time.monotonic() - start
        self.files = [self.name_of(p) for p in files]
        inventories = [(path, self.name_of(path), *object_inventory(path, self.name_of(path)))
                       for path in files]
        jobs = []  # (callable, args)
        json_checks = []
        for path, name, root, objs, userblock in inventories:
            cwd = path.parent
            undecodable = has_undecodable_data(objs)
            self.objects += 1 + len(objs)
            for flags in FILE_FLAGS:
                jobs.append((check_ls, Case(name, "/", f"ls {flags}"), path.name, [flags], cwd,
                             undecodable))
            json_checks.append((name, path, root, objs))
            for obj in objs:
                target = path.name + obj.path
                if obj.kind == "group":
                    jobs.append((check_ls, Case(name, obj.path, "ls -v"), target, ["-v"], cwd))
                elif obj.kind in ("datatype", "soft_link", "external_link"):
                    jobs.append((check_ls, Case(name, obj.path, "ls -v"), target, ["-v"], cwd))
                if obj.kind != "dataset":
                    continue
                for flags in OBJECT_FLAGS:
                    jobs.append((check_ls, Case(name, obj.path, f"ls {flags}"), target, [flags], cwd,
                                 obj.info["undecodable"]))
                if obj.info["layout"] == "chunked":
                    jobs.append((check_chunks, Case(name, obj.path, "chunks"), obj, target, cwd,
                                 userblock))
                t = obj.info["type"]
                if t["has_ref"]:
                    jobs.append((check_read_refused, Case(name, obj.path, "read refused"), target, cwd))
                    continue
                if obj.info["undecodable"]:
                    # H5Dread cannot decode it (LZO): --verify has nothing to compare with and
                    # must say so in one line.
                    jobs.append((check_read_refused, Case(name, obj.path, "read --verify (no HDF5 filter)"),
                                 target, cwd, "", ("--verify",)))
                else:
                    jobs.append((check_read_verify, Case(name, obj.path, "read --verify"), target, cwd))
                ref = reference_values(obj)
                if ref[0] == "none":
                    # Nothing else reads it: h5dig must fail cleanly, like HDF5 does.
                    jobs.append((check_read_refused, Case(name, obj.path, "read refused"), target, cwd,
                                 f" (h5py and PyTables cannot read it: {ref[1][:150]})"))
                    continue
                if ref[0] != "rows" and (not t["has_vlen"] or t["vlen_string"]):
                    jobs.append((check_read_npy, Case(name, obj.path, "read -o npy"), target, cwd,
                                 ref, t["vlen_string"], self.scratch))
                if t["has_vlen"]:
                    jobs.append((check_read_json, Case(name, obj.path, "read -o json"), target, cwd,
                                 ref, self.scratch))
        for name, path, root, objs in json_checks:
            jobs.append((self.check_json, name, path, root, objs))
        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            futures = [pool.submit(guarded, fn, *args) for fn, *args in jobs]
            for fut in futures:
                result = fut.result()
                self.cases += result if isinstance(result, list) else [result]
        self.seconds = time.monotonic() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.child_cpu_seconds = usage.ru_utime + usage.ru_stime

    def check_json(self, name, path, root, objs):
        r = run([H5DIG, "ls", "--json", "-r", path.name], path.parent, H5DIG_BOUND)
        whole = Case(name, "/", "ls --json -r")
        try:
            doc = json.loads(r.out) if r.rc == 0 else None
        except ValueError as e:
            whole.detail = f"not JSON: {e}"
            return [whole]
        if doc is None:
            whole.detail = f"h5dig {r.describe()}: {stderr_line(r)}"
            return [whole]
        whole.ok = True
        listed = {o.get("path"): o for f in doc.get("files", []) for o in f.get("objects", [])}
        cases = [whole]
        for obj in [root] + objs:
            case = Case(name, obj.path, "ls --json")
            j = listed.get(obj.path)
            if j is None:
                case.detail = "not in the listing"
            else:
                wrong = json_disagreements(obj, j)
                case.ok = not wrong
                case.detail = "; ".join(wrong)[:300]
            cases.append(case)
        return cases


@pytest.fixture(scope="session")
def walk():
    keep = os.environ.get("H5DIG_FOREIGN_CORPUS")
    with tempfile.TemporaryDirectory(prefix="h5dig-foreign-") as tmp:
        corpus = Path(keep) if keep else Path(tmp) / "corpus"
        if keep and corpus.exists():
            import shutil
            shutil.rmtree(corpus)
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        w = Walk(corpus, scratch)
        w.run_all()
        report = os.environ.get("H5DIG_FOREIGN_REPORT")
        if report:
            Path(report).write_text(json.dumps({
                "files": w.files, "objects": w.objects, "seconds": w.seconds,
                "generate_seconds": w.generate_seconds, "child_cpu_seconds": w.child_cpu_seconds,
                "cases": [dict(file=c.file, object=c.obj, check=c.check, ok=c.ok, detail=c.detail,
                               h5ls_failure=c.h5ls_failure, seconds=round(c.seconds, 3), expected=EXPECTED_FAILURES.get(c.key))
                          for c in w.cases]}, indent=1))
        print(f"\nforeign corpus: {len(w.files)} files, {w.objects} objects, {len(w.cases)} checks, "
              f"{sum(not c.ok for c in w.cases)} failing, walk {w.seconds:.1f} s "
              f"(corpus {w.generate_seconds:.1f} s, {JOBS} jobs, {w.child_cpu_seconds:.1f} s CPU in subprocesses)")
        yield w


def verdict(cases):
    """Unexpected failures and unexpected passes among `cases`, as report lines."""
    lines = []
    for c in cases:
        expected = EXPECTED_FAILURES.get(c.key)
        if not c.ok and expected is None:
            lines.append(f"FAIL (not in EXPECTED_FAILURES) {c.key!r}: {c.detail}")
        elif c.ok and expected is not None:
            lines.append(f"PASSES (remove from EXPECTED_FAILURES, defect {expected}) {c.key!r}")
    return lines


def family(w, *prefixes):
    return [c for c in w.cases if c.check.startswith(prefixes)]


def assert_family(w, prefixes):
    cases = family(w, *prefixes)
    keys = {c.key for c in cases}
    stale = [k for k in EXPECTED_FAILURES if k[2].startswith(prefixes) and k not in keys]
    problems = verdict(cases) + [f"STALE (no such case) {k!r}" for k in stale]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_corpus_is_complete(walk):
    writers = {f.split("/")[0] for f in walk.files}
    assert writers == set(make_corpus.WRITERS), writers
    assert len(walk.files) >= 60 and walk.objects >= 500


def test_ls_matches_h5ls(walk):
    assert_family(walk, ("ls -",))


def test_h5ls_failures_are_documented(walk):
    """docs/ls.md lists every (file[/object], flags) where h5ls 1.10.8 fails, and no other."""
    text = (SOURCE_DIR / "docs" / "ls.md").read_text()
    section = text.split("## Foreign files where h5ls 1.10.8 fails", 1)
    assert len(section) == 2, "docs/ls.md has no '## Foreign files where h5ls 1.10.8 fails' section"
    documented = set()
    for line in section[1].split("\n## ", 1)[0].splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|", line)
        if m:
            documented.add((m.group(1), m.group(2)))
    observed = set()
    for c in family(walk, "ls -"):
        if c.h5ls_failure:
            target = c.file if c.obj == "/" else c.file + c.obj
            observed.add((target, c.check[3:]))
    missing = sorted(observed - documented)
    extra = sorted(documented - observed)
    assert not missing and not extra, (f"h5ls failures not in docs/ls.md: {missing}\n"
                                       f"in docs/ls.md but h5ls does not fail: {extra}")


def test_chunks_match_get_chunk_info(walk):
    assert_family(walk, ("chunks",))


def test_read_matches_h5py(walk):
    assert_family(walk, ("read",))


def test_ls_json_matches_hdf5(walk):
    assert_family(walk, ("ls --json",))


def test_expected_failures_name_known_defects():
    unknown = sorted({d for d in EXPECTED_FAILURES.values() if d not in DEFECTS})
    assert not unknown, f"defects without a title in DEFECTS: {unknown}"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider", *sys.argv[1:]]))
