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
