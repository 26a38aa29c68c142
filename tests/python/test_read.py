"""Values, metadata and indexing against h5py, for every read fixture."""
import h5py
import numpy as np
import pytest

import h5dig
from fixtures import reference


def datasets(path):
    names = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    return names


def test_import_and_version():
    assert h5dig.__version__
    assert issubclass(h5dig.Error, OSError)


def test_every_fixture_equals_h5py(files):
    names = datasets(files["read"])
    # every filter h5dig has, and the layouts: a fixture gone missing must fail here
    for required in ["deflate", "shuffle_deflate", "fletcher32", "lz4", "bslz4", "bitshuffle", "blosc_lz4",
                     "lzf", "bzip2", "szip", "lzo", "zstd", "edges", "fill", "be_f4", "compound",
                     "contiguous", "compact", "scalar", "virtual", "scaleoffset", "mask"]:
        assert required in names, required
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        for name in names:
            want = reference(ref, name)[()]
            got = f[name][()]
            assert f[name].dtype == ref[name].dtype, name
            assert f[name].shape == ref[name].shape, name
            assert f[name].chunks == ref[name].chunks, name
            assert np.asarray(got).dtype == np.asarray(want).dtype, name
            assert np.array_equal(got, want), name
            assert np.asarray(got).tobytes() == np.asarray(want).tobytes(), name


def random_index(rng, shape):
    key = []
    for n in shape:
        kind = rng.integers(0, 4)
        if kind == 0:
            key.append(int(rng.integers(-n, n)))
        elif kind == 1:
            key.append(slice(None))
        else:
            a, b = sorted(int(x) for x in rng.integers(-n - 2, n + 3, 2))
            step = int(rng.integers(1, 4)) if kind == 3 else None
            key.append(slice(a, b, step))
    return tuple(key)


def test_random_selections_equal_h5py(files):
    rng = np.random.default_rng(5)
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        for name in datasets(files["read"]):
            if not ref[name].shape:
                continue
            for _ in range(12):
                key = random_index(rng, ref[name].shape)
                want = reference(ref, name)[key]
                got = f[name][key]
                assert np.shape(got) == np.shape(want), (name, key)
                assert np.array_equal(got, want), (name, key)


def test_ellipsis_ints_and_scalars(files):
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        d, r = f["deflate"], ref["deflate"]
        for key in [np.s_[...], np.s_[5], np.s_[-1], np.s_[..., 3], np.s_[2, ..., 1], np.s_[1, 2, 3],
                    np.s_[10:20, :, 0:5], np.s_[np.int64(4)], np.s_[::7, 3:, ::-1][:2], np.s_[3:3]]:
            assert np.array_equal(d[key], r[key]), key
        assert isinstance(d[1, 2, 3], np.uint16)
        assert f["scalar"][()] == ref["scalar"][()]
        assert f["scalar"][...].shape == ()


def test_bad_selections_raise_like_numpy(files):
    with h5dig.File(files["read"]) as f:
        d = f["deflate"]
        with pytest.raises(IndexError):
            d[30]
        with pytest.raises(IndexError):
            d[-31]
        with pytest.raises(IndexError):
            d[0, 0, 0, 0]
        with pytest.raises(IndexError):
            d[..., ...]
        with pytest.raises(ValueError):
            d[::0]
        with pytest.raises(ValueError):
            d[::-1]
        with pytest.raises(IndexError):
            d["a"]


def test_read_into_caller_array(files):
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        d = f["shuffle_deflate"]
        out = np.empty(d.shape, d.dtype)
        assert d.read(out=out, threads=2) is out
        assert np.array_equal(out, ref["shuffle_deflate"][...])
        part = np.empty((10, 40, 12), d.dtype)
        d.read(np.s_[3:13], out=part)
        assert np.array_equal(part, ref["shuffle_deflate"][3:13])
        with pytest.raises(ValueError):
            d.read(out=np.empty((2, 2), d.dtype))
        with pytest.raises(TypeError):
            d.read(out=np.empty(d.shape, "f8"))
        with pytest.raises(ValueError):
            d.read(out=np.empty(d.shape[::-1], d.dtype).T)  # not C-contiguous


def test_metadata_as_h5py(files):
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        assert f.keys() == list(ref.keys())
        seen = []
        f.visit(seen.append)
        want = []
        ref.visit(want.append)
        assert seen == want
        assert "group/inner/nested" in f and "nope" not in f
        assert isinstance(f["group"], h5dig.Group) and isinstance(f["group/inner/nested"], h5dig.Dataset)
        assert f["group"]["inner/nested"].name == "/group/inner/nested"
        with pytest.raises(KeyError):
            f["nope"]
        for name in ["deflate", "group/inner", "/"]:
            a, b = dict(f[name].attrs), dict(ref[name].attrs)
            assert a.keys() == b.keys(), name
            for k in a:
                assert type(a[k]) is type(b[k]), (name, k, a[k], b[k])
                assert np.array_equal(a[k], b[k]), (name, k)
        d = f["shuffle_deflate"]
        assert [x.name for x in d.filters] == ["shuffle", "deflate"]
        assert [x.id for x in d.filters] == [2, 1]
        assert d.filters[1].cd_values == (ref["shuffle_deflate"].compression_opts,)
        assert f["contiguous"].chunks is None and f["contiguous"].layout == "contiguous"
        assert f["compact"].layout == "compact"
        assert f["compound"].dtype.names == ("id", "x", "name")
        assert "read by h5dig" in f["bslz4"].describe()


def test_closed_file_raises_error(files):
    f = h5dig.File(files["read"])
    d = f["deflate"]
    d[0]  # a reader is kept for the next read
    f.close()
    with pytest.raises(h5dig.Error):
        f["deflate"]
    assert d.shape == (30, 41, 17)  # metadata stays; reads need the file, as in h5py
    with pytest.raises(h5dig.Error):
        d[0]


def test_missing_file_is_error(tmp_path):
    with pytest.raises(h5dig.Error) as e:
        h5dig.File(tmp_path / "missing.h5")
    assert "missing.h5" in str(e.value)
    assert isinstance(e.value, OSError) and e.value.kind == "io"
