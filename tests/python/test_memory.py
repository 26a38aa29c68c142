"""Result arrays of 4 MiB and more live in h5dig's own huge-page mapping
(io::OutputMemory, owned by a capsule as the array's base): they hold h5py's
values, keep their memory while any array or view uses it, and give it back
when the last one goes: to io::KeptOutputs, which lends it to the next result
of about its size (never showing that result the old values) or unmaps it on
h5dig.release_memory(). Smaller ones are numpy's own."""
import gc
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import h5dig

MIB = 1 << 20


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    import h5py

    path = tmp_path_factory.mktemp("memory") / "big.h5"
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        f.create_dataset("frames", data=rng.poisson(3, (40, 256, 256)).astype("<u2"), chunks=(1, 256, 256),
                         compression="gzip", shuffle=True)  # 5.2 MB
        f.create_dataset("odd", data=rng.integers(0, 255, (5, 1000, 1001), dtype="u1"), chunks=(2, 500, 1001),
                         compression="lzf")  # 5.0 MB, not a whole number of huge pages
        v = f.create_dataset("vectors", (500_000,), dtype=np.dtype(("<f4", (3,))), chunks=(100_000,))
        v[...] = rng.random((500_000, 3), dtype="f4")  # an array type, 6 MB
        f.create_dataset("contiguous", data=np.arange(1_200_000, dtype=">i4"))  # 4.8 MB, big-endian
        # The size of "frames", most chunks never written: fill values 0 and 7.
        for name, fill in [("sparse0", 0), ("sparse7", 7)]:
            s = f.create_dataset(name, (40, 256, 256), "<u2", chunks=(1, 256, 256), compression="gzip",
                                 fillvalue=fill)
            s[5] = 1
            s[30, 100:] = 2
    return path


def mapped(address):
    """True if `address` lies in a mapping of this process (/proc/self/maps)."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if lo <= address < hi:
                return True
    return False


@pytest.mark.parametrize("name", ["frames", "odd", "vectors", "contiguous"])
def test_large_results_equal_h5py(big_file, name):
    import h5py

    with h5py.File(big_file, "r") as ref, h5dig.File(big_file) as f:
        for key in [Ellipsis, np.s_[1:], np.s_[::2]]:
            got, want = f[name][key], ref[name][key]
            assert got.nbytes >= 4 * MIB or key != Ellipsis
            assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)
            assert got.flags.c_contiguous and got.flags.writeable and got.flags.aligned
            np.testing.assert_array_equal(got, want)
        got = f[name].read()
        np.testing.assert_array_equal(got, ref[name][...])


def test_large_results_are_in_huge_page_aligned_memory(big_file):
    with h5dig.File(big_file) as f:
        for name in ["frames", "odd", "vectors"]:
            a = f[name][...]
            assert a.nbytes >= 4 * MIB
            assert a.ctypes.data % (2 * MIB) == 0, name
            assert not a.flags.owndata and type(a.base).__name__ == "PyCapsule"
        small = f["frames"][0]  # 128 KiB: numpy's own
        assert small.flags.owndata


def test_memory_outlives_file_and_dataset_and_is_given_back(big_file):
    import h5py

    with h5py.File(big_file, "r") as ref:
        want = ref["frames"][...]
    f = h5dig.File(big_file)
    d = f["frames"]
    a = d[...]
    address = a.ctypes.data
    view = a[3:7, ::2]          # a view: its base chain holds the memory
    flat = a.reshape(-1)        # another
    f.close()
    del d, f
    gc.collect()
    np.testing.assert_array_equal(a, want)
    a[0, 0, 0] = 12345          # writeable, and views see it
    assert flat[0] == 12345
    del a
    gc.collect()
    assert mapped(address)
    np.testing.assert_array_equal(view, want[3:7, ::2])
    assert pickle.loads(pickle.dumps(view)).tolist() == view.tolist()
    del view
    gc.collect()
    assert mapped(address)      # flat still uses it
    assert flat[1:].tolist()[:5] == want.reshape(-1)[1:6].tolist()
    del flat
    gc.collect()
    assert mapped(address)      # the last user gone: kept for the next result
    assert h5dig.release_memory() >= want.nbytes
    assert not mapped(address)  # and now unmapped
    assert h5dig.release_memory() == 0


def test_reused_memory_never_shows_the_old_values(big_file):
    """A result dropped a moment ago lends its pages to the next of its size: every byte
    of the new result is written (fill values too), whatever the old one held."""
    import h5py

    h5dig.release_memory()
    with h5py.File(big_file, "r") as ref, h5dig.File(big_file) as f:
        for name in ["sparse0", "sparse7", "frames", "sparse0"]:
            old = f["frames"][...]
            old[...] = 0xBEEF           # what a reader that skipped a byte would show
            address = old.ctypes.data
            del old
            new = f[name][...]
            assert new.ctypes.data == address, "not reused: the test shows nothing"
            np.testing.assert_array_equal(new, ref[name][...])
            del new
            again = f[name].read()
            assert again.ctypes.data == address
            np.testing.assert_array_equal(again, ref[name][...])
            del again
        # A view keeps its memory from being lent.
        a = f["frames"][...]
        view = a[2]
        del a
        b = f["sparse7"][...]
        assert not np.shares_memory(b, view)
        np.testing.assert_array_equal(view, ref["frames"][2])
    h5dig.release_memory()


def run_python(code, **env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=dict(os.environ, **env),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout


def test_keeping_follows_h5dig_keep_outputs(big_file):
    code = f"""
        import gc, h5dig
        f = h5dig.File({str(big_file)!r})
        a = f["frames"][...]; n = a.nbytes; del a; gc.collect()
        print(h5dig.release_memory() >= n)
        """
    assert run_python(code).split() == ["True"]                             # default: kept
    assert run_python(code, H5DIG_KEEP_OUTPUTS="0").split() == ["False"]      # off
    assert run_python(code, H5DIG_KEEP_OUTPUTS="4MiB").split() == ["False"]   # above the limit
    assert run_python(code, H5DIG_KEEP_OUTPUTS="64M").split() == ["True"]
    assert run_python(code, H5DIG_KEEP_OUTPUTS="lots").split() == ["False"]   # not a size: nothing kept


def test_out_is_unchanged(big_file):
    import h5py

    with h5py.File(big_file, "r") as ref, h5dig.File(big_file) as f:
        out = np.empty((40, 256, 256), "<u2")
        assert f["frames"].read(out=out) is out
        assert out.flags.owndata
        np.testing.assert_array_equal(out, ref["frames"][...])


def test_failed_read_gives_its_memory_back(tmp_path):
    """A read that fails after the result was allocated frees it (no leak)."""
    import h5py

    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=np.ones((8, 512, 512), "<u2"), chunks=(1, 512, 512), compression="gzip")
    with h5dig.File(path) as f:
        t = f["d"].chunk_table()
    raw = bytearray(path.read_bytes())
    at = int(t[5]["byte_offset"])
    raw[at:at + 64] = b"\xff" * 64
    path.write_bytes(bytes(raw))

    def vm_size():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))

    with h5dig.File(path) as f:
        d = f["d"]
        with pytest.raises(h5dig.Error):
            d[...]
        gc.collect()
        before = vm_size()
        for _ in range(20):
            with pytest.raises(h5dig.Error):
                d[...]
        gc.collect()
        assert vm_size() < before + 16 * MIB  # 20 leaked results would be 80 MiB
