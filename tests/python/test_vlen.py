"""Variable-length strings and sequences through ds[...], read(), asstr() and
xarray: the values h5py 3.7 (and xarray's h5netcdf engine) give."""
import gc

import numpy as np
import pytest

import h5dig

SELECTIONS = [(), Ellipsis, np.s_[:], np.s_[1:], np.s_[::2], np.s_[1:6:3], 0, -1, np.s_[2:2]]
SELECTIONS_2D = [Ellipsis, np.s_[1:6:2, 1:], np.s_[2], np.s_[:, 3], np.s_[-1, ::2], np.s_[3:, 1:4:2], (4, 2),
                 np.s_[5:1]]


@pytest.fixture(scope="module")
def vlen_file(tmp_path_factory):
    import h5py

    path = tmp_path_factory.mktemp("vlen") / "vlen.h5"
    utf8, ascii_ = h5py.string_dtype("utf-8"), h5py.string_dtype("ascii")
    with h5py.File(path, "w") as f:
        f.create_dataset("str", data=np.array(["a", "", "héllo wörld ✓", "x" * 1000, "日本語", "\U0001F600", "end"],
                                              dtype=object), dtype=utf8)
        f.create_dataset("ascii", data=np.array([b"abc", b"", b"de"], dtype=object), dtype=ascii_)
        f.create_dataset("grid", data=np.array([[f"r{i}c{j}" * (i + j) for j in range(5)] for i in range(7)],
                                               dtype=object), dtype=utf8, chunks=(3, 2), compression="gzip")
        f.create_dataset("scalar", data="scalär", dtype=utf8)
        f.create_dataset("empty", (0,), dtype=utf8)
        f.create_dataset("unwritten", (4,), dtype=utf8)  # null pointers: h5py reads b''
        seq = f.create_dataset("seq", (6,), dtype=h5py.vlen_dtype(np.int32))
        for i, v in enumerate([[1, 2, 3], [], np.arange(100), [-5], [2**31 - 1, -2**31], []]):
            seq[i] = v
        fseq = f.create_dataset("fseq", (3, 2), dtype=h5py.vlen_dtype(np.float64), chunks=(1, 2))
        for i in range(3):
            for j in range(2):
                fseq[i, j] = np.linspace(0, 1, i * 2 + j) + i
        f.create_dataset("unwritten_seq", (3,), dtype=h5py.vlen_dtype(np.uint16))
        # many elements: more than one batch (io::value_batches, 128 Ki strings a batch)
        f.create_dataset("many", data=np.array([str(i) * (i % 7) for i in range(300_000)], dtype=object),
                         dtype=utf8, chunks=(10_000,), compression="gzip")
        comp = np.dtype([("name", utf8), ("x", "<i4")])
        f.create_dataset("compound_vlen", (2,), dtype=comp)
    return path


def same(a, b):
    """Equal values, types and shapes, element by element (object arrays included)."""
    if isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray), (type(a), a)
        assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
        for x, y in zip(a.flat, b.flat):
            same(x, y)
    else:
        assert type(a) is type(b) and a == b, (a, b)


def element(a, b):
    if isinstance(b, np.ndarray):
        return same(a, b)
    assert type(a) is type(b) and a == b


@pytest.mark.parametrize("name", ["str", "ascii", "unwritten", "seq", "unwritten_seq"])
@pytest.mark.parametrize("key", SELECTIONS, ids=repr)
def test_1d_equals_h5py(vlen_file, name, key):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        d, r = f[name], ref[name]
        got, want = d[key], r[key]
        if isinstance(want, np.ndarray):
            same(got, want)
            assert got.dtype.metadata == want.dtype.metadata  # h5py's {'vlen': ...} on the result too
        else:
            element(got, want)


@pytest.mark.parametrize("key", SELECTIONS_2D, ids=repr)
def test_2d_strings_sliced(vlen_file, key):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        element(f["grid"][key], ref["grid"][key])
        element(f["grid"].asstr()[key], ref["grid"].asstr()[key])


@pytest.mark.parametrize("key", [Ellipsis, np.s_[1:, 1], np.s_[::2, :], 2, (0, 1), np.s_[1:1]], ids=repr)
def test_2d_sequences_sliced(vlen_file, key):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        element(f["fseq"][key], ref["fseq"][key])


def test_dtype_is_h5pys(vlen_file):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        for name in ["str", "ascii", "grid", "scalar", "empty", "seq", "fseq"]:
            assert f[name].dtype == ref[name].dtype == np.dtype("O")
            assert h5py.check_string_dtype(f[name].dtype) == h5py.check_string_dtype(ref[name].dtype), name
            assert h5py.check_vlen_dtype(f[name].dtype) == h5py.check_vlen_dtype(ref[name].dtype), name
        assert h5py.check_string_dtype(f["str"].dtype).encoding == "utf-8"
        assert h5py.check_string_dtype(f["ascii"].dtype).encoding == "ascii"
        assert h5py.check_vlen_dtype(f["seq"].dtype) == np.dtype("int32")
        assert "variable-length string (UTF-8)" in f["str"].describe()
        assert "variable-length sequence of int32" in f["seq"].describe()


def test_non_ascii_and_empty(vlen_file):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        got = f["str"][...]
        assert got[2] == "héllo wörld ✓".encode() and got[1] == b"" and got[5] == "\U0001F600".encode()
        same(f["str"].asstr()[...], ref["str"].asstr()[...])
        assert f["str"].asstr()[4] == "日本語"
        same(f["empty"][...], ref["empty"][...])
        same(f["empty"].asstr()[...], ref["empty"].asstr()[...])
        assert f["scalar"][()] == ref["scalar"][()] == "scalär".encode()
        same(f["scalar"][...], ref["scalar"][...])
        assert f["scalar"].asstr()[()] == "scalär"
        same(f["scalar"].asstr()[...], ref["scalar"].asstr()[...])
        with pytest.raises(TypeError):
            f["seq"].asstr()


def test_sequences_are_arrays_of_the_base_type(vlen_file):
    with h5dig.File(vlen_file) as f:
        a = f["seq"][...]
        assert a.dtype == object and a.shape == (6,)
        assert all(isinstance(x, np.ndarray) and x.dtype == np.int32 and x.ndim == 1 for x in a)
        assert a[2].tolist() == list(range(100)) and a[1].size == 0
        assert a[4].tolist() == [2**31 - 1, -2**31]


def test_many_elements_across_batches(vlen_file):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        for key in [Ellipsis, np.s_[123_457:290_001:3], np.s_[::1000]]:
            got, want = f["many"][key], ref["many"][key]
            assert got.shape == want.shape
            assert got.tolist() == want.tolist()


def test_read_with_and_without_out(vlen_file):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        same(f["grid"].read(np.s_[1:6:2, 1:]), ref["grid"][1:6:2, 1:])
        out = np.empty((3, 4), dtype=object)
        assert f["grid"].read(np.s_[1:6:2, 1:], out=out) is out
        same(out.astype(ref["grid"].dtype), ref["grid"][1:6:2, 1:])
        with pytest.raises(ValueError):
            f["grid"].read(np.s_[1:6:2, 1:], out=np.empty((2, 4), dtype=object))
        with pytest.raises(TypeError):
            f["grid"].read(out=np.empty((7, 5), dtype="S10"))
        np.testing.assert_array_equal(np.asarray(f["str"]), ref["str"][...])


def test_to_dask_of_strings(vlen_file):
    import h5py

    a = h5dig.to_dask(vlen_file, "grid")
    assert a.chunks == ((3, 3, 1), (2, 2, 1))  # the stored chunks: dask cannot size objects
    with h5py.File(vlen_file, "r") as ref:
        assert a.compute(scheduler="threads").tolist() == ref["grid"][...].tolist()
        got = h5dig.to_dask(vlen_file, "seq", chunks=4)[1:5].compute(scheduler="sync")
        assert [x.tolist() for x in got] == [x.tolist() for x in ref["seq"][1:5]]


def test_values_outlive_the_file(vlen_file):
    f = h5dig.File(vlen_file)
    d = f["seq"]
    a, s = d[...], f["str"][...]
    f.close()
    with pytest.raises(h5dig.Error):
        d[...]
    del d, f
    gc.collect()
    assert a[2].sum() == sum(range(100)) and s[0] == b"a"


def _records_equal(a, b):
    """Structured arrays with object fields: field by field, element by element."""
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    for name in b.dtype.names:
        for x, y in zip(a[name].ravel(), b[name].ravel()):
            element(x, y)


def test_vlen_inside_compounds_and_arrays_equals_h5py(tmp_path):
    """Strings and sequences inside compounds, arrays of them, arrays inside compounds,
    big-endian members beside them: h5py's structured arrays with object fields, for
    whole reads, slices, steps and single elements, read batch by batch."""
    import h5py

    path = tmp_path / "nested.h5"
    s = h5py.string_dtype()
    ints = h5py.vlen_dtype(np.dtype("<i4"))
    comp = np.dtype([("id", ">u2"), ("name", s), ("vals", ints), ("pair", s, (2,)), ("f", ">f8")])
    n = 40_000  # elements of 74 stored bytes: three value batches of about 1 MiB, 400 chunks
    rng = np.random.default_rng(5)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("records", (n,), dtype=comp, chunks=(100,), compression="gzip")
        rows = np.empty(n, dtype=comp)
        rows["id"] = np.arange(n)
        rows["name"] = [f"row {i} é" if i % 7 else "" for i in range(n)]
        rows["vals"] = [np.arange(i % 5, dtype="<i4") * i for i in range(n)]
        rows["pair"] = [[f"a{i}", "b" * (i % 3)] for i in range(n)]
        rows["f"] = rng.random(n)
        d[...] = rows
        f.create_dataset("string_grid", data=np.array([["x", "yy"], ["", "zzz"]], dtype=object), dtype=s)
        a = f.create_dataset("array_of_sequences", (3,), dtype=np.dtype((ints, (2,))))
        a[0] = [np.array([1, 2], "<i4"), np.array([], "<i4")]
        a[2] = [np.array([7], "<i4"), np.array([8, 9, 10], "<i4")]
    with h5py.File(path, "r") as ref, h5dig.File(path) as f:
        for key in [Ellipsis, np.s_[10:20], np.s_[::97], np.s_[-3:]]:
            _records_equal(f["records"][key], ref["records"][key])
        one, want = f["records"][42], ref["records"][42]
        assert one.dtype == want.dtype and one["name"] == want["name"] and np.array_equal(one["vals"], want["vals"])
        _records_equal(f["records"].read(), ref["records"][...])
        out = np.empty(100, dtype=f["records"].dtype)
        assert f["records"].read(np.s_[200:300], out=out) is out
        _records_equal(out, ref["records"][200:300])
        same(f["array_of_sequences"][...], ref["array_of_sequences"][...])
        same(f["array_of_sequences"][1:], ref["array_of_sequences"][1:])
        same(f["string_grid"][...], ref["string_grid"][...])


def test_compound_with_unwritten_strings_equals_h5py(vlen_file):
    import h5py

    with h5py.File(vlen_file, "r") as ref, h5dig.File(vlen_file) as f:
        _records_equal(f["compound_vlen"][...], ref["compound_vlen"][...])


@pytest.fixture(scope="module")
def string_nc(tmp_path_factory):
    import netCDF4

    path = tmp_path_factory.mktemp("vlen_nc") / "strings.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("x", 5)
        nc.createDimension("y", 3)
        x = nc.createVariable("x", "i4", ("x",))
        x[:] = np.arange(5)
        v = nc.createVariable("names", str, ("x",))
        v[:] = np.array(["alpha", "", "héllo ✓", "z" * 300, "日本"], dtype=object)
        v.long_name = "station names"
        g = nc.createVariable("grid", str, ("x", "y"), chunksizes=(2, 3))  # (netCDF compresses no strings)
        g[:] = np.array([[f"{i}-{j}" * j for j in range(3)] for i in range(5)], dtype=object)
        s = nc.createVariable("label", str, ())
        s[...] = "scalar ✓"
        t = nc.createVariable("t", "f4", ("x",))
        t[:] = np.arange(5) / 2
    return path


def test_xarray_strings_equal_h5netcdf(string_nc):
    import xarray as xr

    with xr.open_dataset(string_nc, engine="h5dig") as a, xr.open_dataset(string_nc, engine="h5netcdf") as b:
        assert a["names"].dtype == b["names"].dtype
        assert a["names"].encoding["dtype"] is str
        assert a["grid"][1:, ::2].values.tolist() == b["grid"][1:, ::2].values.tolist()
        a.load()
        b.load()
        xr.testing.assert_identical(a, b)
        assert a["names"].values.tolist() == ["alpha", "", "héllo ✓", "z" * 300, "日本"]
        assert type(a["names"].values[0]) is str
        assert a["label"].values.dtype == b["label"].values.dtype
    with xr.open_dataset(string_nc, engine="h5dig", chunks={}) as a, \
            xr.open_dataset(string_nc, engine="h5netcdf") as b:
        xr.testing.assert_identical(a.compute(), b.load())


def test_asstr_on_fixed_strings_follows_their_character_set(tmp_path):
    """Fixed-length strings decode in their own character set, as h5py's asstr():
    UTF-8 ones as UTF-8; ASCII ones strictly as ASCII unless told otherwise."""
    import h5py

    path = tmp_path / "fixed.h5"
    with h5py.File(path, "w") as f:
        f["ascii"] = np.array([b"plain", b"caf\xc3\xa9"], dtype="S6")
        d = f.create_dataset("utf8", (2,), dtype=h5py.string_dtype("utf-8", 6))
        d[0], d[1] = "café".encode(), b"x"
    with h5py.File(path, "r") as ref, h5dig.File(path) as f:
        assert h5py.check_string_dtype(f["utf8"].dtype).encoding == "utf-8"
        assert h5py.check_string_dtype(f["ascii"].dtype).encoding == "ascii"
        assert f["utf8"].asstr()[...].tolist() == ref["utf8"].asstr()[...].tolist() == ["café", "x"]
        assert f["ascii"].asstr()[0] == ref["ascii"].asstr()[0] == "plain"
        with pytest.raises(UnicodeDecodeError):
            ref["ascii"].asstr()[1]
        with pytest.raises(UnicodeDecodeError):
            f["ascii"].asstr()[1]
        assert f["ascii"].asstr("utf-8")[1] == ref["ascii"].asstr("utf-8")[1] == "café"
