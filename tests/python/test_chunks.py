"""chunk_table(), kerchunk() and decode() against h5py's own chunk queries."""
import json

import h5py
import numpy as np
import pytest

import h5dig
from fixtures import reference


def h5py_chunks(d):
    rows = [d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())]
    return sorted((tuple(r.chunk_offset), r.filter_mask, r.byte_offset, r.size) for r in rows)


@pytest.mark.parametrize("name", ["deflate", "edges", "fill", "mask", "bslz4", "i8_4d", "zstd", "lzo"])
def test_chunk_table_equals_h5py(files, name):
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        t = f[name].chunk_table()
        assert t.dtype.names == ("offset", "filter_mask", "byte_offset", "size")
        got = [(tuple(int(x) for x in r["offset"]), int(r["filter_mask"]), int(r["byte_offset"]), int(r["size"]))
               for r in t]
        assert got == h5py_chunks(ref[name])


def test_chunk_table_of_contiguous_is_value_error(files):
    with h5dig.File(files["read"]) as f:
        with pytest.raises(ValueError):
            f["contiguous"].chunk_table()


@pytest.mark.parametrize("name", ["deflate", "shuffle_deflate", "bslz4", "blosc_zstd_bitshuffle", "lzf", "bzip2",
                                  "szip", "lzo", "zstd", "fletcher32_deflate", "be_u2_bslz4", "compound"])
def test_decode_every_chunk(files, name):
    with h5py.File(files["read"], "r") as ref, h5dig.File(files["read"]) as f:
        d, r = f[name], ref[name]
        values = reference(ref, name)
        for row in d.chunk_table():
            mask, raw = r.id.read_direct_chunk(tuple(int(x) for x in row["offset"]))
            chunk = h5dig.decode(raw, d.filters, d.chunks, d.dtype, filter_mask=mask)
            lo = [int(x) for x in row["offset"]]
            region = tuple(slice(o, min(o + c, n)) for o, c, n in zip(lo, d.chunks, d.shape))
            inside = tuple(slice(0, s.stop - s.start) for s in region)
            assert np.array_equal(chunk[inside], values[region]), (name, lo)


def test_decode_takes_id_pairs_and_rejects_garbage(files):
    with h5py.File(files["read"], "r") as ref:
        mask, raw = ref["shuffle_deflate"].id.read_direct_chunk((0, 0, 0))
        chunk = h5dig.decode(raw, [(2, (4,)), (1, (4,))], (8, 16, 5), "<i4")
        assert np.array_equal(chunk, ref["shuffle_deflate"][0:8, 0:16, 0:5])
    with pytest.raises(h5dig.Error) as e:
        h5dig.decode(b"\x00not deflate at all", [(1, (4,))], (8, 8), "<u2")
    assert "deflate" in str(e.value)


def test_kerchunk_references_point_at_the_chunks(files):
    with pytest.warns(UserWarning):  # bitshuffle, LZ4, contiguous... are left out, named
        refs = h5dig.kerchunk(files["read"])
    assert refs["version"] == 1
    r = refs["refs"]
    zarray = json.loads(r["shuffle_deflate/.zarray"])
    assert zarray["chunks"] == [8, 16, 5] and zarray["dtype"] == "<i4"
    with h5py.File(files["read"], "r") as ref:
        info = ref["shuffle_deflate"].id.get_chunk_info_by_coord((8, 16, 5))
        assert r["shuffle_deflate/1.1.1"][1:] == [info.byte_offset, info.size]
    one = h5dig.kerchunk(files["read"], "deflate")
    assert "deflate/.zarray" in one["refs"] and "lz4/.zarray" not in one["refs"]
    with pytest.raises(h5dig.Error):
        h5dig.kerchunk(files["read"], "bslz4")
