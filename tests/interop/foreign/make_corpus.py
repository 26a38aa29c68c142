#!/usr/bin/python3
"""h5dig's foreign corpus: HDF5 files written by software other than h5dig.

    make_corpus.py OUTDIR [WRITER ...]

writes the corpus into OUTDIR (created if missing), one subdirectory per writer,
and prints the HDF5 files it holds, one path per line. Writers (all by default):

    pytables-data  PyTables' own test files, copied from Debian's python-tables-data
    shipped        the other HDF5 files Debian's packages ship as test data: h5py's
                   (vlen strings, one written on big-endian s390x), bitshuffle's
                   (its 0.1.3 regression file, bitshuffle and LZ4 filters), xarray's
    ncgen          netCDF-4 files that ncgen (netcdf-bin) writes from cdl/*.cdl
    netcdf4        files written by python3-netcdf4
    pytables       files written by python3-tables (PyTables)
    h5py           files written by h5py (and HDF5's low-level API through it)

As a library (the interop test and the file fuzzer use it):

    import make_corpus
    files = make_corpus.make_corpus(outdir)           # every writer
    files = make_corpus.make_corpus(outdir, ["h5py"])  # some of them

Nothing here is committed as a binary: every file is written at test time, in a
second or two, with fixed data, so every run makes the same objects and values. The
bytes can differ between runs: HDF5 stamps modification times into some object
headers (PyTables' and netCDF's objects, h5py's in a few places).

To add a file: add a function to the writer's table (H5PY_FILES, PYTABLES_FILES,
NETCDF4_FILES) or a .cdl file under cdl/. Files that refer to others (external
links, external raw data, virtual dataset sources) name them relative to their own
directory, so read them with that directory as the working directory.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def is_hdf5(path):
    """True when `path` holds an HDF5 superblock at 0, 512, 1024, 2048, ... (userblocks)."""
    try:
        with open(path, "rb") as fh:
            offset = 0
            size = os.fstat(fh.fileno()).st_size
            while offset + 8 <= size:
                fh.seek(offset)
                if fh.read(8) == HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return False
    return False


# ---------------------------------------------------------------- pytables-data

PYTABLES_DATA = Path("/usr/share/python-tables")


def write_pytables_data(out):
    """Every HDF5 file Debian's python-tables-data ships (.h5, .mat with a userblock)."""
    for src in sorted(PYTABLES_DATA.rglob("*")):
        if src.is_file() and is_hdf5(src):
            shutil.copyfile(src, out / src.name)


# -------------------------------------------------------------------- shipped

SHIPPED = [Path("/usr/lib/python3/dist-packages/h5py"), Path("/usr/lib/python3/dist-packages/bitshuffle/tests"),
           Path("/usr/lib/python3/dist-packages/xarray/tests/data")]


def write_shipped(out):
    """Every HDF5 file (netCDF-4 included) under the test data of h5py, bitshuffle and xarray."""
    for top in SHIPPED:
        for src in sorted(top.rglob("*")) if top.is_dir() else []:
            if src.is_file() and src.suffix in (".h5", ".hdf5", ".nc") and is_hdf5(src):
                shutil.copyfile(src, out / src.name)


# ---------------------------------------------------------------------- ncgen

def write_ncgen(out):
    """ncgen -4 (netCDF-4) for every cdl/*.cdl; the classic-model CDL also as -k nc7."""
    for cdl in sorted((HERE / "cdl").glob("*.cdl")):
        kinds = ["nc4"] + (["nc7"] if cdl.stem == "classic" else [])
        for kind in kinds:
            name = f"{cdl.stem}.nc" if kind == "nc4" else f"{cdl.stem}_{kind}.nc"
            subprocess.run(["ncgen", "-k", kind, "-o", str(out / name), str(cdl)],
                           check=True, capture_output=True, timeout=60)


# -------------------------------------------------------------------- netcdf4

def nc4_dataset(out):
    import netCDF4
    with netCDF4.Dataset(out / "netcdf4_dataset.nc", "w", format="NETCDF4") as ds:
        ds.title = "python3-netcdf4 file for h5dig's foreign corpus"
        ds.setncattr("int_list", np.array([1, 2, 3], dtype="i4"))
        ds.setncattr_string("strings", ["alpha", "beta"])
        ds.createDimension("time", None)
        ds.createDimension("lat", 5)
        ds.createDimension("lon", 6)
        ds.createDimension("nchar", 4)
        time = ds.createVariable("time", "f8", ("time",))
        time.units = "days since 2000-01-01"
        lat = ds.createVariable("lat", "f4", ("lat",))
        lat[:] = np.linspace(-60, 60, 5)
        lon = ds.createVariable("lon", "f4", ("lon",))
        lon[:] = np.linspace(0, 300, 6)
        t2m = ds.createVariable("t2m", "f4", ("time", "lat", "lon"), zlib=True, complevel=4,
                                shuffle=True, chunksizes=(1, 5, 6), fill_value=-9999.0)
        t2m.units = "K"
        u10 = ds.createVariable("u10", "i2", ("time", "lat", "lon"), zlib=True, complevel=1,
                                shuffle=False, fletcher32=True, chunksizes=(2, 3, 3))
        # Unlimited growth: one record at a time, as a model writes its steps.
        for step in range(5):
            time[step] = step * 0.25
            t2m[step] = 270 + step + np.arange(30, dtype="f4").reshape(5, 6) / 8
            u10[step] = (np.arange(30, dtype="i2").reshape(5, 6) - 15) * (step + 1)
        names = ds.createVariable("station", str, ("lat",))
        names[:] = np.array(["Reykjavík", "Oslo", "", "Quito", "Hobart"], dtype=object)
        codes = ds.createVariable("code", "S1", ("lat", "nchar"))
        codes[:] = netCDF4.stringtochar(np.array(["ABCD", "EF", "G", "", "HIJK"], dtype="S4"))
        ds.createVariable("empty_time_series", "i4", ("time",), fill_value=7)
        big = ds.createVariable("big_endian", ">f8", ("lat",), endian="big")
        big[:] = np.arange(5) * 1.5
        scalar = ds.createVariable("scalar", "u8", ())
        scalar.assignValue(2 ** 64 - 2)
        szip = ds.createVariable("szip", "i4", ("lat", "lon"), compression="szip",
                                 szip_coding="nn", szip_pixels_per_block=8)
        szip[:] = np.arange(30, dtype="i4").reshape(5, 6)
        bz = ds.createVariable("bzip2", "f4", ("lat", "lon"), compression="bzip2", complevel=9)
        bz[:] = np.arange(30, dtype="f4").reshape(5, 6)

        ens = ds.createGroup("ensemble")
        ens.createDimension("member", 3)
        sub = ens.createGroup("statistics")
        mean = sub.createVariable("mean", "f8", ("member", "lat"), contiguous=True)
        mean[:] = np.arange(15, dtype="f8").reshape(3, 5) / 3
        mean.setncattr("valid_max", np.float64(1e10))
        words = ens.createVariable("labels", str, ("member",))
        words[0] = "first"
        words[2] = "third, after an unset one"

        wind_t = ds.createCompoundType(np.dtype([("u", "f4"), ("v", "f4"), ("q", "i1")]), "wind_t")
        wind = ds.createVariable("wind", wind_t, ("lat",))
        w = np.zeros(5, dtype=wind_t.dtype)
        w["u"], w["v"], w["q"] = np.arange(5), -np.arange(5), [0, 1, 2, 3, 4]
        wind[:] = w
        level_t = ds.createEnumType("u1", "level_t", {"low": 0, "mid": 1, "high": 2})
        level = ds.createVariable("level", level_t, ("lat",), fill_value=0)
        level[:] = np.array([0, 1, 2, 1, 0], dtype="u1")
        ragged_t = ds.createVLType("i8", "ragged_t")
        ragged = ds.createVariable("ragged", ragged_t, ("lat",))
        for i in range(5):
            ragged[i] = np.arange(i, dtype="i8") * 10


def nc4_classic(out):
    import netCDF4
    with netCDF4.Dataset(out / "netcdf4_classic.nc", "w", format="NETCDF4_CLASSIC") as ds:
        ds.Conventions = "CF-1.8"
        ds.createDimension("t", None)
        ds.createDimension("n", 7)
        v = ds.createVariable("v", "f4", ("t", "n"), zlib=True, complevel=6)
        for step in range(3):
            v[step] = np.arange(7, dtype="f4") * (step + 1)
        n = ds.createVariable("n", "i4", ("n",))
        n[:] = np.arange(7)


NETCDF4_FILES = [nc4_dataset, nc4_classic]


def write_netcdf4(out):
    for make in NETCDF4_FILES:
        make(out)


# ------------------------------------------------------------------- pytables

def pt_tables(out):
    import tables as tb

    class Position(tb.IsDescription):
        x = tb.Float64Col(pos=0)
        y = tb.Float64Col(pos=1)

    class Particle(tb.IsDescription):
        name = tb.StringCol(16, pos=0)
        idnumber = tb.Int64Col(pos=1)
        energy = tb.Float32Col(shape=(2,), pos=2)
        flag = tb.BoolCol(pos=3)
        grid = tb.Int16Col(shape=(2, 3), pos=4)
        small = tb.UInt8Col(pos=5)
        half = tb.Float16Col(pos=6)
        wave = tb.ComplexCol(itemsize=16, pos=7)
        colour = tb.EnumCol(["red", "green", "blue"], "red", base="uint8", pos=8)
        position = Position()

    class Times(tb.IsDescription):
        # HDF5's time class (H5T_UNIX_D32/64): in a table of their own, so that a
        # reader failing on them fails on this table only.
        when = tb.Time64Col(pos=0)
        seconds = tb.Time32Col(pos=1)
        n = tb.Int32Col(pos=2)

    def fill(table, rows):
        row = table.row
        for i in range(rows):
            row["name"] = f"particle {i}".encode()
            row["idnumber"] = i * 1000003
            row["energy"] = (i * 0.5, -i * 0.25)
            row["flag"] = i % 2 == 0
            row["grid"] = np.arange(6).reshape(2, 3) + i
            row["small"] = (i * 7) % 256
            row["half"] = i / 4
            row["wave"] = complex(i, -i)
            row["colour"] = i % 3
            row["position/x"] = i * 1.5
            row["position/y"] = -i * 1.5
            row.append()
        table.flush()

    with tb.open_file(out / "pytables_tables.h5", "w", title="PyTables tables") as f:
        plain = f.create_table("/", "particles", Particle, "nested records, no filter")
        fill(plain, 20)
        plain.attrs.units = "GeV"
        group = f.create_group("/", "compressed", "tables under every compressor PyTables has")
        for complib in ["zlib", "lzo", "bzip2", "blosc:lz4", "blosc:zstd", "blosc:blosclz"]:
            for shuffle in [False, True]:
                name = complib.replace(":", "_") + ("_shuffle" if shuffle else "")
                filters = tb.Filters(complevel=5, complib=complib, shuffle=shuffle)
                table = f.create_table(group, name, Particle, name, filters=filters,
                                       chunkshape=(7,))
                fill(table, 20)
        empty = f.create_table("/", "empty", Particle, "no rows")
        empty.flush()
        indexed = f.create_table("/", "indexed", Particle, "a table with an index")
        fill(indexed, 40)
        indexed.cols.idnumber.create_index()
        times = f.create_table("/", "times", Times, "time columns")
        for i in range(5):
            times.append([(1.6e9 + i * 0.5, 1600000000 + i, i)])
        times.flush()
        stamps = f.create_earray("/", "time_stamps", tb.Time64Atom(), (0,), chunkshape=(4,))
        stamps.append(np.array([0.0, 1.5, 1.6e9]))


def pt_arrays(out):
    import tables as tb
    with tb.open_file(out / "pytables_arrays.h5", "w") as f:
        f.create_array("/", "int32", np.arange(12, dtype="i4").reshape(3, 4), "plain Array")
        f.create_array("/", "float16", np.arange(6, dtype="f2") / 3)
        f.create_array("/", "bools", np.array([True, False, True]))
        f.create_array("/", "uint8", np.arange(250, 256, dtype="u1"))
        f.create_array("/", "strings", np.array([b"one", b"three", b""]))
        f.create_array("/", "big_endian", np.arange(5, dtype=">i8"))
        f.create_array("/", "complex", np.array([1 + 2j, -3j], dtype="c16"))
        f.create_array("/", "scalar", np.float64(2.5))
        f.create_array("/", "python_list", [[1, 2], [3, 4]])
        carrays = f.create_group("/", "carrays")
        data = (np.arange(40 * 30, dtype="f8").reshape(40, 30) % 97) / 7
        for complib in ["zlib", "lzo", "bzip2", "blosc:lz4", "blosc:zlib", "blosc:zstd"]:
            for shuffle in [False, True]:
                name = complib.replace(":", "_") + ("_shuffle" if shuffle else "")
                filters = tb.Filters(complevel=3, complib=complib, shuffle=shuffle,
                                     fletcher32=(complib == "zlib" and shuffle))
                c = f.create_carray(carrays, name, obj=data, chunkshape=(8, 10), filters=filters)
                c.attrs.complib = complib
        bitshuffle = tb.Filters(complevel=4, complib="blosc:lz4", bitshuffle=True)
        f.create_carray(carrays, "blosc_bitshuffle", obj=data.astype("i4"), chunkshape=(16, 16),
                        filters=bitshuffle)
        sparse = f.create_carray("/", "sparse", tb.Int32Atom(dflt=-1), (100, 100),
                                 chunkshape=(10, 10), filters=tb.Filters(1))
        sparse[0:10, 0:10] = 1
        sparse[55, 55] = 2
        earray = f.create_earray("/", "earray", tb.Float32Atom(), (0, 4), expectedrows=10,
                                 chunkshape=(3, 4), filters=tb.Filters(complevel=2, complib="zlib"))
        for i in range(5):
            earray.append(np.full((2, 4), i, dtype="f4"))
        strings = f.create_earray("/", "earray_strings", tb.StringAtom(6), (0,), chunkshape=(4,))
        strings.append(np.array([b"a", b"bb", b"ccc", b"dddddd", b"eeeee"]))
        empty = f.create_earray("/", "earray_empty", tb.Int8Atom(), (2, 0, 3))
        empty.attrs.note = "never appended to"


def pt_vlarrays(out):
    import tables as tb
    with tb.open_file(out / "pytables_vlarrays.h5", "w") as f:
        ints = f.create_vlarray("/", "ints", tb.Int32Atom(), "ragged rows of ints")
        for i in range(6):
            ints.append(np.arange(i, dtype="i4"))
        pairs = f.create_vlarray("/", "pairs", tb.Float64Atom(shape=(2,)),
                                 filters=tb.Filters(complevel=1, complib="zlib"))
        pairs.append([[1, 2], [3, 4]])
        pairs.append([])
        strings = f.create_vlarray("/", "vlstrings", tb.VLStringAtom())
        for s in [b"first", b"", b"a longer byte string", b"\x00\x01binary"]:
            strings.append(s)
        unicode = f.create_vlarray("/", "vlunicode", tb.VLUnicodeAtom())
        for s in ["ascii", "ünïcödé", "", "\u2603 snow"]:
            unicode.append(s)
        objects = f.create_vlarray("/", "objects", tb.ObjectAtom())
        for o in [{"a": 1}, [1, "two", 3.0], None, (4, 5)]:
            objects.append(o)
        fixed = f.create_vlarray("/", "fixed_strings", tb.StringAtom(itemsize=4))
        fixed.append([b"ab", b"cdef"])
        fixed.append([b"g"])


def pt_attrs(out):
    import tables as tb
    with tb.open_file(out / "pytables_attrs.h5", "w", title="attributes PyTables writes") as f:
        group = f.create_group("/", "group", "a titled group")
        a = group._v_attrs
        a.py_int = 7                       # stored as a scalar int64
        a.py_float = 2.5
        a.py_str = "a str"
        a.py_unicode = "ünïcödé"
        a.py_bytes = b"raw bytes"
        a.py_bool = True
        a.py_none = None                   # pickled
        a.py_list = [1, "two", 3.0]        # pickled
        a.py_dict = {"k": [1, 2]}          # pickled
        a.py_tuple = (1, 2)                # pickled
        a.np_int8 = np.int8(-5)
        a.np_uint64 = np.uint64(2 ** 64 - 1)
        a.np_float32 = np.float32(0.1)
        a.np_complex = np.complex128(1 - 1j)
        a.np_array = np.arange(6, dtype="i2").reshape(2, 3)
        a.np_strings = np.array([b"x", b"yy"])
        a.np_empty = np.array([], dtype="f8")
        a.np_bool = np.bool_(False)
        a.np_record = np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])
        leaf = f.create_array(group, "leaf", np.arange(3), "a titled leaf")
        leaf.attrs.many = list(range(100))
        for i in range(30):
            setattr(leaf.attrs, f"attr_{i:02d}", i)


PYTABLES_FILES = [pt_tables, pt_arrays, pt_vlarrays, pt_attrs]


def write_pytables(out):
    for make in PYTABLES_FILES:
        make(out)


# ----------------------------------------------------------------------- h5py

def _lowlevel_dataset(f, name, tid, shape, data, dcpl=None):
    """A dataset of an HDF5 type h5py will not create from a numpy dtype (bitfield,
    time, tagged opaque, space-padded strings): written with the file type as the
    memory type, so the bytes go in unconverted."""
    from h5py import h5d, h5s
    space = h5s.create_simple(shape) if shape != () else h5s.create(h5s.SCALAR)
    dset = h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
    if data is not None:
        dset.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(data), mtype=tid)
    return dset


def _lowlevel_attribute(obj, name, tid, shape, data):
    from h5py import h5a, h5s
    space = h5s.create_simple(shape) if shape != () else h5s.create(h5s.SCALAR)
    attr = h5a.create(obj.id, name.encode(), tid, space)
    attr.write(np.ascontiguousarray(data), mtype=tid)


def _common_objects(f):
    """The same small tree in the earliest and the latest format: groups, layouts,
    links and a few attributes."""
    import h5py
    g = f.create_group("group/nested")
    g.attrs["note"] = "nested group"
    f["group"].attrs["count"] = np.int32(3)
    f.create_dataset("contiguous", data=np.arange(24, dtype="f8").reshape(4, 6))
    f.create_dataset("chunked_gzip", data=np.arange(1000, dtype="i4").reshape(40, 25),
                     chunks=(8, 10), compression="gzip", compression_opts=6, shuffle=True,
                     fletcher32=True)
    f.create_dataset("chunked_unlimited", data=np.arange(50, dtype="u2"), chunks=(8,),
                     maxshape=(None,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    _lowlevel_dataset(f, "compact", h5py.h5t.STD_I16LE, (5,), np.arange(5, dtype="<i2"), dcpl)
    g.create_dataset("strings", data=np.array([b"one", b"two", b"three"]))
    f["group/hard_link_to_contiguous"] = f["contiguous"]
    f["soft_link"] = h5py.SoftLink("/group/nested")
    f["dangling_soft_link"] = h5py.SoftLink("/no/such/object")
    f["external_link"] = h5py.ExternalLink("h5py_types.h5", "/enum")
    f["dangling_external_link"] = h5py.ExternalLink("no_such_file.h5", "/x")
    # Names h5ls escapes or pads past its 24 columns; a hard-link cycle back to a parent.
    f.create_dataset("a name with spaces, ünïcödé and \"quotes\"", data=np.arange(3, dtype="i2"))
    f.create_group("a_group_name_much_longer_than_twenty_four_columns").attrs["ok"] = 1
    g["cycle_to_parent"] = f["group"]


def h5py_earliest(out):
    import h5py
    with h5py.File(out / "h5py_earliest.h5", "w", libver="earliest") as f:
        _common_objects(f)
        for i in range(12):
            f.attrs[f"a{i:02d}"] = i * 1.5


def h5py_latest(out):
    import h5py
    with h5py.File(out / "h5py_latest.h5", "w", libver="latest") as f:
        _common_objects(f)
        # Dense attribute storage: more attributes than fit compactly (8), and one
        # huge attribute (past the 64 KiB object header message limit).
        dense = f.create_group("dense_attributes")
        for i in range(40):
            dense.attrs[f"attribute_{i:02d}"] = np.arange(i % 5 + 1, dtype="i8") * i
        huge = f.create_dataset("huge_attribute", data=np.arange(3))
        huge.attrs["huge"] = np.arange(40000, dtype="f8")
        huge.attrs["small"] = "beside the huge one"
        # Dense link storage: a group with many members.
        many = f.create_group("many_links")
        for i in range(30):
            many.create_dataset(f"member_{i:02d}", data=np.int16(i))
        # Creation order tracked: members listed by name by h5ls, kept in order by HDF5.
        ordered = f.create_group("track_order", track_order=True)
        for name in ["zebra", "apple", "mango"]:
            ordered.create_dataset(name, data=np.arange(2))
            ordered.attrs[name] = name
        # Every chunk index of the v4 layout message.
        idx = f.create_group("chunk_index")
        idx.create_dataset("single_chunk", data=np.arange(100, dtype="i4").reshape(10, 10),
                           chunks=(10, 10))
        idx.create_dataset("single_chunk_filtered", data=np.arange(100, dtype="i4"),
                           chunks=(100,), compression="gzip")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4, 5))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        _lowlevel_dataset(f, "chunk_index/implicit", h5py.h5t.STD_I32LE, (12, 15),
                          np.arange(180, dtype="<i4").reshape(12, 15), dcpl)
        idx.create_dataset("fixed_array", data=np.arange(400, dtype="f4").reshape(20, 20),
                           chunks=(3, 7), compression="gzip", compression_opts=1)
        paged = idx.create_dataset("fixed_array_paged", shape=(1500,), dtype="i2", chunks=(1,),
                                   compression="gzip", fillvalue=-1)
        paged[::3] = np.arange(500, dtype="i2")
        ea = idx.create_dataset("extensible_array", shape=(0, 6), maxshape=(None, 6), chunks=(2, 6),
                                dtype="i8", compression="gzip", shuffle=True)
        ea.resize((600, 6))
        ea[::5] = np.arange(120 * 6, dtype="i8").reshape(120, 6)
        bt2 = idx.create_dataset("btree_v2", shape=(40, 40), maxshape=(None, None), chunks=(2, 3),
                                 dtype="u1", compression="gzip")
        bt2[:] = (np.arange(1600) % 251).astype("u1").reshape(40, 40)
        bt2.resize((41, 45))
        bt2_empty = idx.create_dataset("btree_v2_unwritten", shape=(5, 5), maxshape=(None, None),
                                       chunks=(2, 2), dtype="f4", fillvalue=1.5)
        bt2_empty.attrs["note"] = "no chunk written: every value is the fill value"


def h5py_types(out):
    import h5py
    from h5py import h5t
    with h5py.File(out / "h5py_types.h5", "w") as f:
        for t in ["i1", "u1", "<i2", ">i2", "<u4", ">u4", "<i8", ">u8", "<f2", "<f4", ">f4",
                  "<f8", ">f8", "<c8", ">c16"]:
            name = "num_" + t.replace("<", "le_").replace(">", "be_")
            f.create_dataset(name, data=(np.arange(7) - 3).astype(t) if t[-2] in "iufc" or
                             t in ("i1", "u1") else np.arange(7).astype(t))
        f.create_dataset("bool", data=np.array([True, False, True]))
        special = np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1.7976931348623157e308, 1e-7])
        f.create_dataset("float_specials", data=special)
        f4 = np.finfo("f4")
        f.create_dataset("float32_specials", data=np.array(
            [np.nan, np.inf, -np.inf, -0.0, f4.smallest_subnormal, f4.max, 1e-7], dtype="f4"))
        f.create_dataset("escapes_fixed", data=np.array([b"tab\there", b"nl\n\x01\x7f", b'q"\\'], dtype="S12"))
        f.create_dataset("escapes_vlen", data=["tab\there", "nl\n\x01\x7f", 'q"\\', "aaaaaaaaaaaaaaaaaaaab"],
                         dtype=h5py.string_dtype())
        f.create_dataset("enum", data=np.array([0, 2, 1, 2], dtype="u1"),
                         dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="u1"))
        f.create_dataset("enum_be", data=np.array([-1, 1000], dtype=">i4"),
                         dtype=h5py.enum_dtype({"NEG": -1, "BIG": 1000}, basetype=">i4"))
        f.create_dataset("opaque_void", data=np.frombuffer(bytes(range(24)), dtype="V8"))
        tagged = h5t.create(h5t.OPAQUE, 6)
        tagged.set_tag(b"sensor frame v2")
        _lowlevel_dataset(f, "opaque_tagged", tagged, (4,),
                          np.frombuffer(bytes(range(24)), dtype="V6"))
        _lowlevel_dataset(f, "bitfield_8", h5t.STD_B8LE, (5,), np.array([1, 2, 4, 8, 255], "u1"))
        _lowlevel_dataset(f, "bitfield_16be", h5t.STD_B16BE, (3,), np.array([1, 256, 65535], ">u2"))
        _lowlevel_dataset(f, "bitfield_64", h5t.STD_B64LE, (2,), np.array([1, 2 ** 63], "<u8"))
        _lowlevel_dataset(f, "time_d32be", h5t.UNIX_D32BE, (3,),
                          np.array([0, 1600000000, 2 ** 31 - 1], ">u4"))
        _lowlevel_dataset(f, "time_d64le", h5t.UNIX_D64LE, (2,), np.array([0, 2 ** 40], "<u8"))
        # Strings: fixed (each padding), variable-length (ASCII and UTF-8).
        f.create_dataset("fixed_nullpad", data=np.array([b"ab", b"cdef", b""], dtype="S4"))
        for pad, label in [(h5t.STR_NULLTERM, "nullterm"), (h5t.STR_SPACEPAD, "spacepad")]:
            tid = h5t.C_S1.copy()
            tid.set_size(5)
            tid.set_strpad(pad)
            _lowlevel_dataset(f, f"fixed_{label}", tid, (3,),
                              np.array([b"ab\0\0\0", b"abcd\0", b"xy   "], dtype="S5"))
        utf8 = h5t.C_S1.copy()
        utf8.set_size(12)
        utf8.set_cset(h5t.CSET_UTF8)
        _lowlevel_dataset(f, "fixed_utf8", utf8, (2,),
                          np.array(["naïve".encode(), "日本".encode()], dtype="S12"))
        f.create_dataset("vlen_utf8", data=["alpha", "", "ünïcödé ☃", "x" * 300],
                         dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("vlen_ascii", data=[b"one", b"two\nlines", b""],
                         dtype=h5py.string_dtype("ascii"))
        f.create_dataset("vlen_ascii_scalar", data=b"scalar string", dtype=h5py.string_dtype("ascii"))
        f.create_dataset("vlen_utf8_2d", data=np.array([["a", "bb"], ["ccc", ""]], dtype=object),
                         dtype=h5py.string_dtype(), chunks=(1, 2), compression="gzip")
        # Variable-length sequences.
        vint = f.create_dataset("vlen_int", shape=(4,), dtype=h5py.vlen_dtype("i4"))
        for i in range(4):
            vint[i] = np.arange(i * 2, dtype="i4")
        vf = f.create_dataset("vlen_float_chunked", shape=(3,), dtype=h5py.vlen_dtype("f8"),
                              chunks=(2,), maxshape=(None,))
        vf[0], vf[1], vf[2] = [1.5], [], [2.5, 3.5, 4.5]
        point = np.dtype([("x", "i2"), ("y", "f8")])
        vc = f.create_dataset("vlen_of_compound", shape=(2,), dtype=h5py.vlen_dtype(point))
        vc[0] = np.array([(1, 2.5), (3, 4.5)], dtype=point)
        vc[1] = np.array([(5, 6.5)], dtype=point)
        arr_of_vlen = np.dtype((h5py.vlen_dtype(np.dtype("f4")), (2,)))
        av = f.create_dataset("array_of_vlen", shape=(2,), dtype=arr_of_vlen)
        value = np.empty(2, dtype=arr_of_vlen)
        value[0] = [np.array([1, 2], "f4"), np.array([], "f4")]
        value[1] = [np.array([3], "f4"), np.array([4, 5, 6], "f4")]
        av[...] = value
        cav_t = np.dtype([("id", "i4"), ("seqs", h5py.vlen_dtype(np.dtype("i4")), (3,))])
        cav = np.zeros(2, dtype=cav_t)
        cav[0]["id"], cav[1]["id"] = 1, 2
        cav[0]["seqs"][:] = [np.arange(2, dtype="i4"), np.arange(3, dtype="i4"), np.arange(0, dtype="i4")]
        cav[1]["seqs"][:] = [np.arange(1, dtype="i4")] * 3
        f.create_dataset("compound_array_of_vlen", data=cav)
        # Arrays of variable-length strings, alone and in a compound: HDF5 reports no
        # H5T_VLEN class inside them (a vlen string's class is H5T_STRING).
        cas_t = np.dtype([("id", "i4"), ("names", h5py.string_dtype(), (2,))])
        cas = np.zeros(2, dtype=cas_t)
        cas[0], cas[1] = (1, ["a", "bb"]), (2, ["ccc", ""])
        f.create_dataset("compound_array_of_vlen_strings", data=cas)
        avs = f.create_dataset("array_of_vlen_strings", shape=(2,),
                               dtype=np.dtype((h5py.string_dtype(), (2,))))
        avs[0], avs[1] = np.array(["x", "y"], dtype=object), np.array(["zz", ""], dtype=object)
        cs_t = np.dtype([("id", "u2"), ("name", h5py.string_dtype()), ("vals", h5py.vlen_dtype("f4"))])
        cs = np.empty(3, dtype=cs_t)
        for i in range(3):
            cs[i] = (i, f"name {i}" * i, np.arange(i, dtype="f4"))
        f.create_dataset("compound_with_vlen", data=cs)
        # Compounds: packed, padded (record larger than its members), out of offset
        # order, nested, with arrays and strings; the two-int case.
        f.create_dataset("compound_packed", data=np.array([(1, 2.5, b"ab"), (2, -1.0, b"")],
                                                          dtype=[("i", "<i4"), ("d", "<f8"), ("s", "S3")]))
        gap = np.dtype({"names": ["a", "b"], "formats": ["<i4", "<i4"], "offsets": [0, 4],
                        "itemsize": 16})
        f.create_dataset("compound_gaps", data=np.array([(1, 11), (2, 12), (3, 13)], dtype=gap))
        holder = f.create_dataset("compound_gaps_attribute_holder", data=np.int8(0))
        holder.attrs["gaps"] = np.array([(1, 11), (2, 12), (3, 13)], dtype=gap)
        swapped = np.dtype({"names": ["late", "early"], "formats": ["<i4", "<f8"],
                            "offsets": [12, 0], "itemsize": 24})
        f.create_dataset("compound_out_of_order",
                         data=np.array([(1, 0.5), (2, 1.5), (3, 2.5)], dtype=swapped))
        inner = np.dtype([("p", "u1"), ("q", ">i4")])
        nested = np.dtype({"names": ["head", "inner", "tail"], "formats": ["<u2", inner, "<f4"],
                           "offsets": [0, 4, 16], "itemsize": 24})
        f.create_dataset("compound_nested", data=np.array(
            [(1, (2, 3), 4.5), (5, (6, -7), 8.5)], dtype=nested), chunks=(1,), compression="gzip")
        mixed = np.dtype([("n", "<i4"), ("s", "S7"), ("arr", "<i2", (2, 3)), ("f", "<f4"),
                          ("farr", "<f8", (2,)), ("m", "<i4")])
        mix = np.zeros(4, dtype=mixed)
        for i in range(4):
            mix[i] = (i, f"rec{i}".encode(), np.arange(6).reshape(2, 3) * i, i / 2, (i, -i), 100 + i)
        f.create_dataset("compound_mixed_chunked", data=mix, chunks=(2,), maxshape=(None,))
        # An array type as the dataset's element: h5py writes it only through the low-level call.
        arr = f.create_dataset("array_element", shape=(2,), dtype=np.dtype(("<f4", (2, 3))))
        arr.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(12, dtype="<f4").reshape(2, 2, 3),
                     mtype=arr.id.get_type())
        # Committed (named) datatypes, used by a dataset and an attribute.
        f["committed_compound"] = np.dtype([("x", "<f4"), ("y", "<f4")])
        f["committed_enum"] = h5py.enum_dtype({"OFF": 0, "ON": 1}, basetype="i1")
        d = f.create_dataset("uses_committed", shape=(2,), dtype=f["committed_compound"])
        d[...] = np.array([(1, 2), (3, 4)], dtype=[("x", "<f4"), ("y", "<f4")])
        d.attrs.create("switch", data=np.array([1, 0], dtype="i1"), dtype=f["committed_enum"])
        f["committed_compound"].attrs["note"] = "an attribute on a named datatype"
        f["committed_vlen_string"] = h5py.string_dtype()
        f.create_dataset("uses_committed_vlen_string", data=["x", "yz"], dtype=f["committed_vlen_string"])
        # Spaces: scalar, null, empty.
        f.create_dataset("scalar", data=np.float32(1.25))
        f.create_dataset("null", data=h5py.Empty("f8"))
        f.create_dataset("empty_1d", shape=(0,), dtype="i4")
        f.create_dataset("empty_2d_chunked", shape=(0, 3), maxshape=(None, 3), dtype="f8", chunks=(4, 3))
        # References: object and region, in datasets and attributes.
        target = f.create_dataset("ref_target", data=np.arange(30, dtype="i4").reshape(5, 6))
        refs = f.create_dataset("object_refs", shape=(3,), dtype=h5py.ref_dtype)
        refs[0], refs[1], refs[2] = target.ref, f["enum"].ref, f.ref
        regions = f.create_dataset("region_refs", shape=(2,), dtype=h5py.regionref_dtype)
        regions[0] = target.regionref[1:3, 2:5]
        regions[1] = target.regionref[0, :]
        with_refs = np.dtype([("id", "i4"), ("obj", h5py.ref_dtype), ("region", h5py.regionref_dtype)])
        rec = np.zeros(2, dtype=with_refs)
        rec[0] = (1, target.ref, target.regionref[0:2, 0:2])
        rec[1] = (2, f["enum"].ref, target.regionref[4, :])
        f.create_dataset("compound_with_refs", data=rec)
        target.attrs["self"] = target.ref
        target.attrs.create("regions", data=[target.regionref[4, 1:2]], dtype=h5py.regionref_dtype)
        # Attributes of every kind on one dataset.
        holder = f.create_dataset("attribute_holder", data=np.int8(0))
        a = holder.attrs
        for t in ["i1", "u1", ">i2", "<u2", "i4", ">u4", "i8", "u8", "f2", ">f4", "f8", "c16"]:
            a["num_" + t.replace(">", "be_").replace("<", "le_")] = np.array([1, 2, 3]).astype(t)
        a["scalar_int"] = np.int64(-1)
        a["vlen_str"] = "variable ünïcödé"
        a["vlen_str_array"] = np.array(["a", "bb"], dtype=h5py.string_dtype())
        a["fixed_bytes"] = np.bytes_(b"fixed")
        a["fixed_bytes_2d"] = np.array([[b"a", b"bc"], [b"def", b""]])
        a["empty"] = h5py.Empty("i4")
        a["bool"] = np.True_
        a.create("enum", data=np.array([2, 0], "u1"),
                 dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="u1"))
        a["compound"] = np.array([(1, 2.5)], dtype=[("i", "i4"), ("d", "f8")])
        a.create("vlen_int", data=np.array([np.arange(2), np.arange(3)], dtype=object),
                 dtype=h5py.vlen_dtype("i4"))
        a["array_2d"] = np.arange(12, dtype="f8").reshape(3, 4)
        _lowlevel_attribute(holder, "bitfield", h5t.STD_B8LE, (2,), np.array([3, 5], "u1"))
        # A time attribute on a dataset of its own (readers that fail on the time class
        # then fail on this one object).
        times = f.create_dataset("time_attribute_holder", data=np.int8(0))
        _lowlevel_attribute(times, "time", h5t.UNIX_D32BE, (), np.array(1600000000, ">u4"))
        _lowlevel_attribute(holder, "opaque", tagged, (1,), np.frombuffer(b"abcdef", "V6"))


def h5py_values(out):
    """Stored bytes that HDF5's conversion changes for h5py (its own file, so that the
    fuzzer's cases seeded on h5py_types.h5 keep their offsets): what C writers leave
    in fixed strings (bytes after the terminator, NULs and spaces inside), and
    integers with fewer significant bits than their size or at a bit offset."""
    import h5py
    from h5py import h5d, h5s, h5t
    with h5py.File(out / "h5py_values.h5", "w") as f:
        for pad, label in [(h5t.STR_NULLTERM, "nullterm"), (h5t.STR_SPACEPAD, "spacepad"), (h5t.STR_NULLPAD, "nullpad")]:
            tid = h5t.C_S1.copy()
            tid.set_size(5)
            tid.set_strpad(pad)
            _lowlevel_dataset(f, f"fixed_{label}_leftovers", tid, (4,),
                              np.array([b"ab\0yz", b"a b  ", b"\0\0\0\0\0", b" \0 x "], dtype="S5"))
        for name, base, precision, offset, values in [
                ("int12_in_16", h5t.STD_I16LE, 12, 0, np.array([-5, 100, -2048, 2047], "<i2")),
                ("uint12_at_4_be", h5t.STD_U16BE, 12, 4, np.array([5, 100, 4095, 7], "<u2")),
                ("int20_at_8_in_32", h5t.STD_I32LE, 20, 8, np.array([-1, 524287, -524288, 3], "<i4"))]:
            tid = base.copy()
            tid.set_precision(precision)
            tid.set_offset(offset)
            h5d.create(f.id, name.encode(), tid, h5s.create_simple((4,))).write(h5s.ALL, h5s.ALL, values)
            tid_c = h5t.create(h5t.COMPOUND, 2 + tid.get_size())
            tid_c.insert(b"tag", 0, h5t.STD_U8LE)
            tid_c.insert(b"value", 2, tid)
            rows = np.zeros(4, dtype=[("tag", "u1"), ("pad", "u1"), ("value", values.dtype)])
            rows["tag"], rows["value"] = range(4), values
            mem = h5t.create(h5t.COMPOUND, rows.dtype.itemsize)
            mem.insert(b"tag", 0, h5t.NATIVE_UINT8)
            mem.insert(b"value", 2, h5t.py_create(values.dtype))
            h5d.create(f.id, f"compound_{name}".encode(), tid_c, h5s.create_simple((4,))).write(
                h5s.ALL, h5s.ALL, rows, mtype=mem)


def h5py_filters(out):
    import h5py
    data = (np.arange(64 * 48, dtype="f4").reshape(64, 48) % 101) / 3
    ints = (np.arange(64 * 48, dtype="i4").reshape(64, 48) % 1000) - 300
    with h5py.File(out / "h5py_filters.h5", "w") as f:
        f.create_dataset("gzip9", data=data, chunks=(16, 16), compression="gzip", compression_opts=9)
        f.create_dataset("shuffle_gzip", data=ints, chunks=(16, 48), shuffle=True, compression="gzip")
        f.create_dataset("fletcher32", data=ints, chunks=(8, 8), fletcher32=True)
        f.create_dataset("lzf", data=data, chunks=(16, 16), compression="lzf")
        f.create_dataset("szip_nn", data=ints, chunks=(16, 16), compression="szip",
                         compression_opts=("nn", 16))
        f.create_dataset("szip_ec", data=ints, chunks=(16, 16), compression="szip",
                         compression_opts=("ec", 8))
        f.create_dataset("bzip2", data=data, chunks=(32, 48), compression=307, compression_opts=(9,))
        f.create_dataset("lz4", data=data, chunks=(32, 48), compression=32004, compression_opts=(0,))
        f.create_dataset("bitshuffle_lz4", data=ints, chunks=(32, 48), compression=32008,
                         compression_opts=(0, 2))
        f.create_dataset("blosc_lz4", data=data, chunks=(32, 48), compression=32001,
                         compression_opts=(0, 0, 0, 0, 5, 1, 1))
        f.create_dataset("scaleoffset_int", data=ints, chunks=(16, 16), scaleoffset=0)
        f.create_dataset("scaleoffset_float", data=data, chunks=(16, 16), scaleoffset=2)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((16, 16))
        dcpl.set_filter(h5py.h5z.FILTER_NBIT)  # h5py has no set_nbit(); HDF5 fills cd_values
        nbit_t = h5py.h5t.STD_I32LE.copy()
        nbit_t.set_precision(12)
        _lowlevel_dataset(f, "nbit", nbit_t, (64, 48), (ints & 0x7FF).astype("<i4"), dcpl)
        # Filters the writer made optional and skipped for incompressible chunks:
        # the chunk's filter mask says which were not applied.
        noise = np.random.default_rng(5).integers(0, 2 ** 31, size=(64, 48)).astype("i4")
        f.create_dataset("optional_skipped", data=noise, chunks=(16, 48), compression="lzf")


def h5py_fill(out):
    import h5py
    with h5py.File(out / "h5py_fill.h5", "w") as f:
        f.create_dataset("chunked_never_written", shape=(10, 10), chunks=(5, 5), dtype="i4",
                         fillvalue=42)
        partial = f.create_dataset("chunked_partial", shape=(20,), chunks=(4,), dtype="f8",
                                   fillvalue=-1.5, compression="gzip")
        partial[4:8] = 1.0
        partial[17] = 2.0
        f.create_dataset("contiguous_never_written", shape=(6,), dtype="u2", fillvalue=7)
        f.create_dataset("no_fill_value_set", shape=(4,), dtype="f4", chunks=(2,))
        rec = np.dtype([("a", "i2"), ("b", "f4")])
        f.create_dataset("compound_fill", shape=(3,), dtype=rec, chunks=(3,),
                         fillvalue=np.array((9, 0.5), dtype=rec))
        big = f.create_dataset("large_mostly_unallocated", shape=(400, 400), chunks=(100, 100),
                               dtype="u1", fillvalue=3)
        big[200:300, 100:200] = 1
        # Never filled: written whole, since unwritten elements would be undefined bytes.
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        dcpl.set_chunk((4,))
        _lowlevel_dataset(f, "fill_time_never", h5py.h5t.STD_I32LE, (8,), np.arange(8, dtype="<i4"),
                          dcpl)


def h5py_userblock(out):
    import h5py
    with h5py.File(out / "h5py_userblock.h5", "w", userblock_size=1024) as f:
        f.create_dataset("chunked", data=np.arange(300, dtype="i4").reshape(30, 10), chunks=(7, 10),
                         compression="gzip")
        f.create_dataset("contiguous", data=np.arange(10, dtype="f8"))
        f.attrs["note"] = "1024-byte userblock before the superblock"
    with open(out / "h5py_userblock.h5", "r+b") as fh:
        fh.write(b"#!/bin/sh\necho this file carries a userblock\n")


def h5py_paged(out):
    import h5py
    with h5py.File(out / "h5py_paged.h5", "w", libver="latest", fs_strategy="page",
                   fs_persist=True, fs_page_size=4096) as f:
        f.create_dataset("chunked", data=np.arange(4000, dtype="f8"), chunks=(500,),
                         compression="gzip")
        f.create_dataset("contiguous", data=np.arange(100, dtype="i2"))
        f.create_group("group").attrs["x"] = 1
        del f["contiguous"]  # leaves a freed section for the persisted free-space manager
        f.create_dataset("contiguous_again", data=np.arange(50, dtype="i2"))


def h5py_swmr(out):
    import h5py
    with h5py.File(out / "h5py_swmr.h5", "w", libver="latest") as f:
        d = f.create_dataset("appended", shape=(0, 3), maxshape=(None, 3), chunks=(4, 3), dtype="f4")
        s = f.create_dataset("counter", shape=(0,), maxshape=(None,), chunks=(16,), dtype="i8")
        f.swmr_mode = True
        for step in range(10):
            d.resize((step + 1) * 2, axis=0)
            d[step * 2:] = np.full((2, 3), step, dtype="f4")
            d.flush()
            s.resize((step + 1) * 5, axis=0)
            s[step * 5:] = np.arange(5) + step * 5
            s.flush()


def h5py_external(out):
    import h5py
    raw = np.arange(20, dtype="<i4")
    raw[:10].tofile(out / "external_part0.raw")
    with open(out / "external_part1.raw", "wb") as fh:
        fh.write(b"HEADER--")
        raw[10:].tofile(fh)
    with h5py.File(out / "h5py_external.h5", "w") as f:
        f.create_dataset("external", shape=(20,), dtype="<i4",
                         external=[("external_part0.raw", 0, 40), ("external_part1.raw", 8, 40)])


def h5py_vds(out):
    import h5py
    for i in range(3):
        with h5py.File(out / f"vds_source_{i}.h5", "w") as f:
            f.create_dataset("data", data=np.arange(10, dtype="i4") + 100 * i)
    layout = h5py.VirtualLayout(shape=(4, 10), dtype="i4")
    for i in range(3):
        layout[i] = h5py.VirtualSource(f"vds_source_{i}.h5", "data", shape=(10,))
    with h5py.File(out / "h5py_vds.h5", "w", libver="latest") as f:
        f.create_virtual_dataset("stacked", layout, fillvalue=-1)
        missing = h5py.VirtualLayout(shape=(5,), dtype="f8")
        missing[:] = h5py.VirtualSource("no_such_source.h5", "data", shape=(5,))
        f.create_virtual_dataset("missing_source", missing, fillvalue=0.5)


H5PY_FILES = [h5py_earliest, h5py_latest, h5py_types, h5py_filters, h5py_fill, h5py_userblock,
              h5py_paged, h5py_swmr, h5py_external, h5py_vds, h5py_values]


def write_h5py(out):
    for make in H5PY_FILES:
        make(out)


# -------------------------------------------------------------------- driver

WRITERS = {
    "pytables-data": write_pytables_data,
    "shipped": write_shipped,
    "ncgen": write_ncgen,
    "netcdf4": write_netcdf4,
    "pytables": write_pytables,
    "h5py": write_h5py,
}


def make_corpus(outdir, writers=None):
    """Writes the corpus (the named writers, or all) under `outdir`; returns the
    HDF5 files written, sorted. Raises on a writer's failure."""
    outdir = Path(outdir)
    files = []
    for name in writers or WRITERS:
        sub = outdir / name
        sub.mkdir(parents=True, exist_ok=True)
        WRITERS[name](sub)
        files += [p for p in sub.iterdir() if p.is_file() and is_hdf5(p)]
    return sorted(files)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    unknown = [w for w in argv[2:] if w not in WRITERS]
    if unknown:
        print(f"make_corpus.py: unknown writer(s) {', '.join(unknown)}; known: {', '.join(WRITERS)}",
              file=sys.stderr)
        return 2
    for path in make_corpus(argv[1], argv[2:] or None):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
