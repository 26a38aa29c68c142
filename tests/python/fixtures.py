"""Read fixtures for the Python module's tests, written at test time by h5py,
PyTables (LZO) and `h5dig repack` (zstd, for which Debian has no HDF5 plugin).

    /usr/bin/python3 tests/python/fixtures.py OUT_DIR [--h5dig build/h5dig]

As a module: make(out_dir, h5dig) -> {"read": path, "netcdf": path, "corrupt": path}.
Every filter h5dig has a codec for, edge and unallocated chunks, big-endian,
compound, contiguous, compact, scalar, and two datasets HDF5 decodes (scaleoffset,
virtual), so the H5Dread path is covered too.
"""
import argparse
import subprocess
from pathlib import Path

import h5py
import numpy as np

rng = np.random.default_rng(20261202)


def noise(shape, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if dt.kind == "S":
        return np.array([b"s%d" % i for i in range(int(np.prod(shape)))], dtype=dtype).reshape(shape)
    return rng.poisson(30, shape).astype(dtype)


# name -> (shape, dtype, create_dataset keyword arguments)
CHUNKED = {
    "deflate": ((30, 41, 17), "<u2", dict(chunks=(7, 10, 8), compression="gzip", compression_opts=4)),
    "shuffle_deflate": ((33, 40, 12), "<i4", dict(chunks=(8, 16, 5), compression="gzip", shuffle=True)),
    "fletcher32_deflate": ((25, 60), "<u2", dict(chunks=(10, 16), compression="gzip", fletcher32=True)),
    "fletcher32": ((25, 60), "<u4", dict(chunks=(10, 16), fletcher32=True)),
    "lz4": ((20, 300), "<u2", dict(chunks=(6, 128), compression=32004)),
    "bslz4": ((12, 64, 70), "<u2", dict(chunks=(1, 64, 64), compression=32008, compression_opts=(0, 2))),
    "bitshuffle": ((19, 77), "<u4", dict(chunks=(5, 32), compression=32008, compression_opts=(0, 0))),
    "blosc_lz4": ((30, 50), "<u2", dict(chunks=(8, 20), compression=32001, compression_opts=(0, 0, 0, 0, 5, 1, 1))),
    "blosc_zstd_bitshuffle": ((30, 50), "<f4",
                              dict(chunks=(8, 20), compression=32001, compression_opts=(0, 0, 0, 0, 5, 2, 5))),
    "lzf": ((10, 20), "<u2", dict(chunks=(5, 5), compression="lzf")),
    "bzip2": ((40, 30), "<i4", dict(chunks=(16, 16), compression=307, compression_opts=(9,))),
    "szip": ((40, 30), "<i4", dict(chunks=(16, 16), compression="szip")),
    "uncompressed": ((21, 22), "<f8", dict(chunks=(4, 4))),
    "edges": ((50, 37, 23), "<u2", dict(chunks=(7, 10, 8), compression="gzip", shuffle=True)),
    "be_f4": ((20, 33), ">f4", dict(chunks=(6, 10), compression="gzip", shuffle=True)),
    "be_u2_bslz4": ((9, 40), ">u2", dict(chunks=(3, 40), compression=32008, compression_opts=(0, 2))),
    "u1_1d": ((1000,), "<u1", dict(chunks=(64,), compression="gzip")),
    "i8_4d": ((5, 6, 7, 8), "<i8", dict(chunks=(2, 3, 4, 5), compression="gzip", shuffle=True)),
    "strings": ((40,), "S7", dict(chunks=(16,), compression="gzip")),
    "scaleoffset": ((10, 20), "<i4", dict(chunks=(5, 5), scaleoffset=0)),  # HDF5 decodes this one
}
COMPOUND = np.dtype([("id", "<i4"), ("x", ">f8"), ("name", "S6")])


def write_read_fixture(path, h5dig=None):
    with h5py.File(path, "w") as f:
        for name, (shape, dtype, kwargs) in CHUNKED.items():
            data = noise(shape, dtype)
            if name == "scaleoffset":
                data = data % 1000
            f.create_dataset(name, data=data, **kwargs)
        # Unallocated chunks: a fill value where nothing was written.
        d = f.create_dataset("fill", shape=(40, 40), dtype="<i2", chunks=(8, 8), fillvalue=-123, compression="gzip")
        d[0:8, 0:8] = noise((8, 8), "<i2")
        d[17:30, 3:9] = noise((13, 6), "<i2")
        d = f.create_dataset("fill_be_f8", shape=(30, 30), dtype=">f8", chunks=(7, 7), fillvalue=1.5,
                             shuffle=True, compression="gzip")
        d[10:20, 10:20] = noise((10, 10), ">f8")
        comp = np.zeros(37, dtype=COMPOUND)
        comp["id"] = np.arange(37)
        comp["x"] = noise(37, "<f8")
        comp["name"] = noise(37, "S6")
        f.create_dataset("compound", data=comp, chunks=(8,), compression="gzip", shuffle=True)
        f.create_dataset("compound_contiguous", data=comp[:5])
        f.create_dataset("contiguous", data=noise((100, 50), "<u2"))
        f.create_dataset("contiguous_be", data=noise((13, 7), ">f8"))
        f.create_dataset("contiguous_unwritten", shape=(10, 10), dtype="<i4", fillvalue=9)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I16BE, h5py.h5s.create_simple((10, 20)), dcpl=dcpl)
        f["compact"][...] = noise((10, 20), ">i2")
        f["scalar"] = np.float64(2.5)
        # dtypes h5py maps specially: an array type (dims appended to the shape),
        # complex (a compound of r, i), bool (an enum FALSE/TRUE)
        arr = f.create_dataset("array", shape=(9,), dtype=np.dtype(("<i4", (3,))), chunks=(4,), compression="gzip")
        arr[...] = noise((9, 3), "<i4")
        f.create_dataset("complex", data=noise((12, 5), "<f8") + 1j * noise((12, 5), "<f8"), chunks=(5, 5),
                         compression="gzip")
        f.create_dataset("bool", data=noise((50,), "<u1") > 30, chunks=(16,), compression="gzip")
        # A chunk stored with deflate skipped (filter mask bit 0), as HDF5 does for an optional filter.
        d = f.create_dataset("mask", data=noise((4, 100), "<u2"), chunks=(1, 100), compression="gzip")
        d.id.write_direct_chunk((2, 0), noise((1, 100), "<u2").tobytes(), filter_mask=1)
        layout = h5py.VirtualLayout(shape=(2, 50), dtype="<u2")
        layout[0] = h5py.VirtualSource(f["contiguous"])[0]
        layout[1] = h5py.VirtualSource(f["contiguous"])[1]
        f.create_virtual_dataset("virtual", layout)
        g = f.create_group("group/inner")
        g.create_dataset("nested", data=noise((6, 6), "<u2"), chunks=(3, 3), compression="gzip")
        g.attrs["title"] = "nested group"
        f["deflate"].attrs["units"] = "counts"
        f["deflate"].attrs["scale"] = np.float32(0.5)
        f["deflate"].attrs["range"] = np.array([1, 2, 3], dtype=">i4")
        f["deflate"].attrs["fixed"] = np.bytes_(b"fixed")
        f.attrs["file_attr"] = 7
    # LZO: PyTables writes it (filter 305, shuffle before it).
    import tables
    with tables.open_file(str(path), "a") as t:
        t.create_carray("/", "lzo", obj=noise((40, 30), "<i4"), chunkshape=(16, 16),
                        filters=tables.Filters(complevel=5, complib="lzo", shuffle=True))
    # zstd (32015): `h5dig repack` writes it; H5Ocopy moves the chunks over as stored.
    if h5dig:
        side = Path(path).with_name("zstd_side.h5")
        subprocess.run([h5dig, "repack", "--chunks", "7,10,8", "--filter", "zstd=3", f"{path}/deflate",
                        f"{side}/zstd"], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(side, "r") as src, h5py.File(path, "a") as dst:
            src.copy(src["zstd"], dst, name="zstd")
        side.unlink()


def write_corrupt(path):
    """/data (4, 64, 64) deflate; chunk [2, 0, 0]'s bytes overwritten with garbage."""
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=noise((4, 64, 64), "<u2"), chunks=(1, 64, 64), compression="gzip")
        info = f["data"].id.get_chunk_info_by_coord((2, 0, 0))
    with open(path, "r+b") as raw:
        raw.seek(info.byte_offset)
        raw.write(b"\xde\xad\xbe\xef" * (info.size // 4))


def write_netcdf(path):
    """A compressed netCDF-4 file (netCDF4-python): coordinates, a time axis, CF
    attributes, a dimension with no coordinate variable, and a group."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as nc:
        nc.title = "h5dig xarray test"
        nc.createDimension("time", 6)
        nc.createDimension("lat", 20)
        nc.createDimension("lon", 30)
        nc.createDimension("bnds", 2)
        t = nc.createVariable("time", "f8", ("time",))
        t.units = "days since 2000-01-01"
        t[:] = np.arange(6)
        lat = nc.createVariable("lat", "f4", ("lat",))
        lat.units = "degrees_north"
        lat[:] = np.linspace(-45, 45, 20)
        nc.createVariable("lon", "f4", ("lon",))[:] = np.linspace(0, 290, 30)
        v = nc.createVariable("temp", "f4", ("time", "lat", "lon"), zlib=True, complevel=4, shuffle=True,
                              chunksizes=(1, 20, 30), fill_value=-999.0)
        v.units = "K"
        v.scale_factor = np.float32(1.0)
        data = 280 + noise((6, 20, 30), "<f4")
        data[0, 0, :5] = -999.0
        v[:] = data
        p = nc.createVariable("packed", "i2", ("time", "lat"), zlib=True)
        p.scale_factor = 0.01
        p.add_offset = 10.0
        p[:] = np.arange(120).reshape(6, 20) / 10
        nc.createVariable("bounds", "f8", ("lat", "bnds"))[:] = np.zeros((20, 2))
        g = nc.createGroup("sub")
        g.createDimension("x", 4)
        g.createVariable("x", "i4", ("x",))[:] = np.arange(4)
        g.createVariable("y", "f8", ("x",), zlib=True)[:] = np.arange(4) / 2


def reference(ref, name):
    """h5py's dataset holding `name`'s values: /zstd is a repack of /deflate, and no
    Debian HDF5 plugin decodes zstd."""
    return ref["deflate"] if name == "zstd" else ref[name]


def make(out_dir, h5dig=None):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"read": out / "read.h5", "corrupt": out / "corrupt.h5", "netcdf": out / "cf.nc"}
    write_read_fixture(paths["read"], h5dig)
    write_corrupt(paths["corrupt"])
    write_netcdf(paths["netcdf"])
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--h5dig")
    a = ap.parse_args()
    print(make(a.out_dir, a.h5dig))
