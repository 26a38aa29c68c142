"""A corrupt chunk raises h5dig.Error naming the chunk; the interpreter survives."""
import subprocess
import sys

import numpy as np
import pytest

import h5dig


def test_corrupt_chunk_names_the_chunk(files):
    with h5dig.File(files["corrupt"]) as f:
        d = f["data"]
        with pytest.raises(h5dig.Error) as e:
            d[...]
        msg = str(e.value)
        assert "corrupt.h5/data" in msg and "chunk (2,0,0)" in msg and "deflate" in msg, msg
        assert "\n" not in msg
        assert e.value.kind == "corrupt"
        # the other chunks still read, and the same object keeps working
        assert d[0:2].shape == (2, 64, 64)
        assert d[3].shape == (64, 64)


def test_interpreter_survives_in_a_child(files):
    code = ("import sys; sys.path[:0] = sys.argv[2:]; import h5dig\n"
            "try:\n    h5dig.File(sys.argv[1])['data'][...]\n"
            "except h5dig.Error as e:\n    print('caught', e.kind)\n")
    r = subprocess.run([sys.executable, "-c", code, str(files["corrupt"])] + sys.path[:2],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "caught corrupt"


def test_unsupported_types_are_errors(tmp_path):
    """Variable-length strings read (tests/python/test_vlen.py), also inside compounds;
    object references, alone or inside compounds, stay h5dig.Error(unsupported)."""
    import h5py

    p = tmp_path / "refs.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("s", data=["a", "bc"], dtype=h5py.string_dtype())
        refs = f.create_dataset("refs", (1,), dtype=h5py.ref_dtype)
        refs[0] = f["s"].ref
        f.create_dataset("c", (1,), dtype=np.dtype([("s", h5py.string_dtype()), ("x", "i4")]))
        f.create_dataset("cr", (1,), dtype=np.dtype([("r", h5py.ref_dtype), ("x", "i4")]))
    with h5dig.File(p) as f:
        assert f["s"][...].tolist() == [b"a", b"bc"]
        assert f["s"].dtype == np.dtype("O")
        assert f["c"][...].tolist() == [(b"", 0)]
        for name in ["refs", "cr"]:
            with pytest.raises(h5dig.Error) as e:
                f[name][...]
            assert e.value.kind == "unsupported", name
            assert name in str(e.value)


def _damaged(tmp_path, seed, ops):
    """A seed of the foreign corpus damaged by the file fuzzer's operations (fuzz/files/mutate.py):
    the cases the damaged-file sweep of the module found, made again byte for byte."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root / "fuzz" / "files"), str(root / "tests" / "interop" / "foreign")]
    import make_corpus
    import mutate

    writer, name = seed.split("/")
    make_corpus.make_corpus(tmp_path / "seeds", [writer])
    out = tmp_path / f"damaged_{name}"
    out.write_bytes(mutate.apply((tmp_path / "seeds" / writer / name).read_bytes(), ops))
    return out


@pytest.mark.parametrize("seed, ops, dataset", [
    # a dataspace flipped to 2**47 rows: contiguous, chunked never written, variable-length strings
    ("pytables-data/smpl_i64be.h5", [("flip", 1054, 7)], "TestArray"),
    ("shipped/vlen_string_dset.h5", [("flip", 836, 6)], "DS1"),
])
def test_a_lying_dataspace_is_an_error_not_a_huge_allocation(tmp_path, seed, ops, dataset):
    path = _damaged(tmp_path, seed, ops)
    with h5dig.File(path) as f:
        d = f[dataset]
        assert np.prod(d.shape, dtype=float) * max(d.dtype.itemsize, 8) > 1e12  # the damage is what we think
        for read in [lambda: d[()], lambda: d[...], lambda: d.read()]:
            with pytest.raises(h5dig.Error) as e:
                read()
            assert "more than this machine's memory" in str(e.value) and dataset in str(e.value)
        try:
            d[0]  # a part: read, or refused as damaged (contiguous data past the end of the file)
        except h5dig.Error as e:
            assert e.kind == "corrupt", e


def test_a_compound_member_past_the_compounds_size_reads_as_raw_bytes(tmp_path):
    """A damaged compound type whose member reaches past its declared size: no NumPy dtype
    can say that, so the elements are raw bytes of the declared size, as the CLI reads them."""
    path = _damaged(tmp_path, "pytables-data/Tables_lzo1.h5", [("flip", 2340, 5)])
    with h5dig.File(path) as f:
        d = f["group0/tuple1"]
        assert d.dtype == np.dtype("V16")
        assert d[()].shape == d.shape and d[2:4].dtype == np.dtype("V16")


def test_names_that_are_not_utf8_list_open_and_read(tmp_path):
    """HDF5 names are bytes: one that is not UTF-8 comes back as bytes, as h5py gives it,
    and opens again from it; the other names, the walk and the attributes are unaffected."""
    import h5py

    path = tmp_path / "names.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group(b"g\xff")
        g.create_dataset("x", data=np.arange(3))
        f.create_dataset("ok", data=[1.5])
        f.attrs.create(b"a\xff", 7)
        f.attrs["plain"] = 1
    with h5py.File(path, "r") as ref, h5dig.File(path) as f:
        assert list(f.keys()) == list(ref.keys()) == [b"g\xff", "ok"]
        assert sorted(f.attrs, key=str) == sorted(ref.attrs, key=str)
        assert dict(f.attrs) == dict(ref.attrs)
        names = []
        f.visit(names.append)
        assert names == [b"g\xff", b"g\xff/x", "ok"]
        assert np.array_equal(f[b"g\xff"]["x"][...], [0, 1, 2])
        assert np.array_equal(f[b"g\xff/x"][...], [0, 1, 2])
        assert f["ok"][0] == 1.5
