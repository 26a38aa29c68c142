"""The Python module on files other software wrote: every dataset and every
attribute of the foreign corpus (tests/interop/foreign/make_corpus.py: PyTables,
netCDF, h5py, HDF5's low-level API, the files Debian ships) read through
`import h5dig` and compared with h5py's reading of the same object: dtype
(field order, offsets, h5py's metadata) and values (bytes for strings, NaN-aware
for floats, element by element for object arrays).

Where h5py is not the reference:
  - h5dig does not read references: there it must raise h5dig.Error with kind
    "unsupported";
  - h5py cannot read some data at all (LZO, HDF5's time class, opaque it cannot
    convert): h5dig must give a value or raise h5dig.Error, nothing else (the
    command-line walk, tests/interop/foreign, compares those with PyTables);
  - h5py 3.7 reads variable-length sequences of big-endian numbers with their
    bytes swapped (PyTables' vlunicode_endian.h5 reads 'paraŀlel' as code points
    in h5dig and PyTables, as 1879048192, ... in h5py): compared with h5py's
    values swapped back.
"""
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5dig

CORPUS_CODE = Path(__file__).resolve().parents[1] / "interop" / "foreign"
sys.path.insert(0, str(CORPUS_CODE))
import make_corpus  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("foreign")
    return out, make_corpus.make_corpus(out)


def canonical(dt):
    """A dtype as a comparable value: field order, offsets, subarrays and metadata included."""
    meta = tuple(sorted((k, canonical(v) if isinstance(v, np.dtype) else repr(v))
                        for k, v in (dt.metadata or {}).items()))
    if dt.subdtype is not None:
        return ("subarray", canonical(dt.subdtype[0]), dt.subdtype[1], meta)
    if dt.names is None:
        return (dt.str, meta)
    return ("record", dt.itemsize, tuple((n, dt.fields[n][1], canonical(dt.fields[n][0])) for n in dt.names), meta)


def difference(got, want):
    """None when `got` (h5dig's) equals `want` (h5py's), else what differs."""
    if type(want).__name__ == "Empty":
        ok = type(got).__name__ == "Empty" and got.dtype == want.dtype
        return None if ok else f"{got!r} vs {want!r}"
    if isinstance(want, np.ndarray) or isinstance(want, np.generic):
        if not (isinstance(got, np.ndarray) or isinstance(got, np.generic)) or type(got) is not type(want):
            return f"type {type(got).__name__} vs {type(want).__name__}"
        if canonical(got.dtype) != canonical(want.dtype):
            return f"dtype {got.dtype!r} ({got.dtype.metadata}) vs {want.dtype!r} ({want.dtype.metadata})"
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape:
            return f"shape {got.shape} vs {want.shape}"
        if want.dtype.names:
            for name in want.dtype.names:
                why = difference(got[name], want[name])
                if why:
                    return f"field {name!r}: {why}"
            return None
        if want.dtype.kind == "O":
            for i, (x, y) in enumerate(zip(got.ravel(), want.ravel())):
                why = difference(x, y)
                if why:
                    return f"element {i}: {why}"
            return None
        if want.dtype.kind in "fc":
            return None if np.array_equal(got, want, equal_nan=True) else "values"
        return None if got.tobytes() == want.tobytes() else "values"
    if type(got) is not type(want):
        return f"type {type(got).__name__} vs {type(want).__name__}"
    return None if got == want else f"{got!r} vs {want!r}"


def holds_references(dtype):
    """References anywhere in the type (h5dig has no reference objects: it does not read
    them in datasets, and gives an attribute's references as their raw bytes)."""
    if h5py.check_dtype(ref=dtype) is not None:
        return True
    if dtype.names:
        return any(holds_references(dtype.fields[n][0]) for n in dtype.names)
    if dtype.subdtype is not None:
        return holds_references(dtype.subdtype[0])
    vlen = h5py.check_vlen_dtype(dtype)
    return vlen not in (None, str, bytes) and holds_references(np.dtype(vlen))


def unsupported_here(dtype):
    """h5dig reads no references (it has no reference objects)."""
    return holds_references(dtype)


def h5py_swaps_bytes(dtype):
    """h5py 3.7's defect: vlen sequences of big-endian numbers come back byte-swapped."""
    vlen = h5py.check_vlen_dtype(dtype)
    return vlen not in (None, str, bytes) and np.dtype(vlen).byteorder == ">"


def check_value(case, read, want, failures):
    """h5dig's value (`read()`) against h5py's `want` (None where h5py cannot read it or
    there is nothing to compare: then only an h5dig.Error or a value is required)."""
    try:
        got = read()
    except h5dig.Error as e:
        if want is not None:
            failures.append(f"{case}: h5dig.Error where h5py reads: {e}")
        return
    except Exception as e:
        failures.append(f"{case}: {type(e).__name__} (not h5dig.Error): {e}")
        return
    if want is None:
        return
    if isinstance(want, np.ndarray) and h5py_swaps_bytes(want.dtype):
        want = np.array([x.byteswap() for x in want.ravel()] + [None], dtype=want.dtype)[:-1].reshape(want.shape)
    why = difference(got, want)
    if why:
        failures.append(f"{case}: {why}")


def walk(path, relative):
    """Every dataset's value and every attribute of `path`, through both; returns
    (cases checked, failures)."""
    failures, checked = [], 0
    with h5py.File(path, "r") as ref, h5dig.File(path) as f:
        objects = ["/"]
        ref.visit(lambda name: objects.append("/" + name))
        for name in objects:
            try:
                r = ref[name]
            except (KeyError, OSError):
                continue  # a dangling or external link h5py cannot follow: nothing to compare
            if isinstance(r, h5py.Datatype):
                continue
            d = f[name]
            case = f"{relative} {name}"
            want_attrs = {}
            for key in r.attrs:
                try:
                    want_attrs[key] = r.attrs[key]
                except Exception:  # h5py cannot read it (references to elsewhere, odd types)
                    want_attrs[key] = None
            if sorted(d.attrs) != sorted(want_attrs):
                failures.append(f"{case}: attribute names {sorted(d.attrs)} vs {sorted(want_attrs)}")
            for key, want in want_attrs.items():
                checked += 1
                if key not in d.attrs:
                    continue
                if isinstance(want, h5py.h5r.Reference) or holds_references(getattr(want, "dtype", np.dtype("O"))):
                    want = None  # h5dig gives an attribute's references as raw bytes: nothing to compare
                check_value(f"{case} attribute {key!r}", lambda: d.attrs[key], want, failures)
            if not isinstance(r, h5py.Dataset):
                continue
            checked += 1
            try:
                want_dtype = r.dtype
            except (TypeError, ValueError):
                want_dtype = None  # h5py has none (HDF5's time class, odd floats); h5dig gives raw bytes
            if want_dtype is not None and not holds_references(want_dtype) and canonical(d.dtype) != canonical(want_dtype):
                failures.append(f"{case}: ds.dtype {d.dtype!r} vs {want_dtype!r}")
            if d.shape != r.shape:
                failures.append(f"{case}: ds.shape {d.shape} vs {r.shape}")
            if want_dtype is not None and unsupported_here(want_dtype):
                try:
                    d[()]
                    failures.append(f"{case}: read, though h5dig does not read this type (update unsupported_here)")
                except h5dig.Error as e:
                    if e.kind != "unsupported":
                        failures.append(f"{case}: h5dig.Error of kind {e.kind}, not unsupported: {e}")
                except Exception as e:
                    failures.append(f"{case}: {type(e).__name__} instead of h5dig.Error: {e}")
                continue
            try:
                want = r[()]
            except Exception:
                want = None  # h5py cannot read it
            check_value(case, lambda: d[()], want, failures)
    return checked, failures


def test_every_dataset_and_attribute_reads_as_h5py_reads_it(corpus):
    out, files = corpus
    assert len(files) >= 70
    checked, failures = 0, []
    for path in files:
        n, bad = walk(path, path.relative_to(out))
        checked += n
        failures += bad
    assert checked > 1000
    assert not failures, "\n".join(failures)


def test_fixed_strings_read_as_h5py_shows_them(tmp_path):
    """Null-terminated strings end at their first NUL and space-padded ones lose their
    padding, as HDF5's conversion gives h5py; null-padded ones keep every byte. In
    a compound and an array too, and through read(out=)."""
    from h5py import h5d, h5s, h5t

    stored = np.array([b"ab\0xyz", b"abcdef", b"a b   ", b"\0" * 6, b"  \0 ab"], dtype="S6")
    path = tmp_path / "strings.h5"
    with h5py.File(path, "w") as f:
        for name, pad in [("nullterm", h5t.STR_NULLTERM), ("spacepad", h5t.STR_SPACEPAD),
                          ("nullpad", h5t.STR_NULLPAD)]:
            t = h5t.C_S1.copy()
            t.set_size(6)
            t.set_strpad(pad)
            d = h5d.create(f.id, name.encode(), t, h5s.create_simple((5,)))
            d.write(h5s.ALL, h5s.ALL, stored.view("V6"), mtype=t)  # the bytes as they are, no conversion
            c = h5t.create(h5t.COMPOUND, 4 + 6 + 12)
            c.insert(b"n", 0, h5t.STD_I32LE)
            c.insert(b"s", 4, t)
            c.insert(b"a", 10, h5t.array_create(t, (2,)))
            rows = np.zeros(5, dtype=[("n", "<i4"), ("s", "V6"), ("a", "V12")])
            rows["n"] = range(5)
            rows["s"] = stored.view("V6")
            rows["a"] = np.array([bytes(s) + bytes(s[::-1]) for s in stored], dtype="S12").view("V12")
            cd = h5d.create(f.id, f"compound_{name}".encode(), c, h5s.create_simple((5,)))
            cd.write(h5s.ALL, h5s.ALL, rows, mtype=c)
    with h5py.File(path, "r") as ref, h5dig.File(path) as f:
        for name in ["nullterm", "spacepad", "nullpad"]:
            for obj in [name, f"compound_{name}"]:
                want = ref[obj][()]
                assert difference(f[obj][()], want) is None, (obj, f[obj][()], want)
                out = np.empty_like(want)
                f[obj].read(out=out)
                assert difference(out, want) is None, obj
        assert ref["nullterm"][()].tolist()[0] == b"ab"  # the reference itself: h5py's rule
        assert ref["spacepad"][()].tolist()[2] == b"a b"
        assert ref["nullpad"][()].tolist()[0] == b"ab\0xyz"
