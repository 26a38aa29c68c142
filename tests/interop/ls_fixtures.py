# Fixture files for the h5ls interop tests (tests/inspect/ls_h5ls_test.cpp).
# Run with Debian's /usr/bin/python3: python3 ls_fixtures.py OUTDIR
# Every file is made fresh at test time; nothing here is golden output.
import os
import sys

import h5py
import numpy as np

out = os.path.abspath(sys.argv[1])
# External raw-data files (the "external" dataset) are created relative to the working directory;
# work inside OUTDIR so that nothing is written where the tests happen to be started.
os.chdir(out)


def path(name):
    return os.path.join(out, name)


# ---- groups and links -------------------------------------------------------
with h5py.File(path("links.h5"), "w") as f:
    g = f.create_group("grp")
    g.create_group("sub").create_group("deeper")
    d = g.create_dataset("data", data=np.arange(12, dtype="i4").reshape(3, 4))
    f["grp/sub/again"] = d                         # second hard link to a dataset
    f["hard_group"] = f["grp/sub"]                  # second hard link to a group
    f["soft"] = h5py.SoftLink("/grp/data")
    f["dangling"] = h5py.SoftLink("/no/such/object")
    f["external"] = h5py.ExternalLink("types.h5", "/ints/i32le")
    f["ext_relative"] = h5py.ExternalLink("other.h5", "relative/path")
    f["a name longer than twenty-four columns"] = np.arange(3, dtype="u1")
    f["exactly_twenty_four_chr"] = np.arange(2, dtype="u1")
    f["twenty_five_characters_x"] = np.arange(2, dtype="u1")
    f["tab\tand\"quote"] = np.arange(1, dtype="u1")
    f.create_group("empty_group")
    h5py.h5o.set_comment(g.id, b"a group with a \"comment\"")
    h5py.h5o.set_comment(d.id, b"dataset comment")

# ---- every datatype class -----------------------------------------------------
with h5py.File(path("types.h5"), "w") as f:
    ints = f.create_group("ints")
    for bits in (8, 16, 32, 64):
        for sign in ("i", "u"):
            for order, tag in (("<", "le"), (">", "be")):
                dt = np.dtype(f"{order}{sign}{bits // 8}")
                lo = np.iinfo(dt).min
                hi = np.iinfo(dt).max
                ints.create_dataset(f"{sign}{bits}{tag}", data=np.array([lo, 0, 1, hi], dtype=dt))
    floats = f.create_group("floats")
    for order, tag in (("<", "le"), (">", "be")):
        for size in (2, 4, 8):
            dt = np.dtype(f"{order}f{size}")
            floats.create_dataset(f"f{size * 8}{tag}",
                                  data=np.array([0.0, -1.5, 3.14159265358979, 1e-3, 65000.0], dtype=dt))
    floats.create_dataset("special", data=np.array([np.inf, -np.inf, np.nan, 1e300, 5e-324]))
    strings = f.create_group("strings")
    strings.create_dataset("fixed_nullpad", data=np.array([b"ab", b"cde", b""], dtype="S6"))
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(8)
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    sp = h5py.h5s.create_simple((2,))
    ds = h5py.h5d.create(strings.id, b"fixed_nullterm", tid, sp)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b"hi there", b"x\0yz"], dtype="S8"))
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(6)
    tid.set_strpad(h5py.h5t.STR_SPACEPAD)
    tid.set_cset(h5py.h5t.CSET_UTF8)
    ds = h5py.h5d.create(strings.id, b"fixed_spacepad_utf8", tid, h5py.h5s.create_simple((1,)))
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b"ok    "], dtype="S6"), mtype=tid)
    strings.create_dataset("vlen_utf8", data=["alpha", "b\u00e9ta", "with \"quotes\" and \\", "tab\there",
                                              "aaaaaaaaaaaaaaaa", "line\nbreak", ""],
                           dtype=h5py.string_dtype())
    strings.create_dataset("vlen_ascii", data=[b"one", b"two"], dtype=h5py.string_dtype("ascii"))
    strings.create_dataset("scalar_str", data="just one")
    cmp = np.dtype([("id", "<i4"), ("x", "<f8"), ("name", "S5"), ("vec", "<f4", (3,)),
                    ("inner", [("a", "u1"), ("b", ">i2")])])
    f.create_dataset("compound", data=np.array([(1, 2.5, b"one", (1, 2, 3), (7, -8)),
                                                (2, -0.25, b"two", (4, 5, 6), (9, 10))], dtype=cmp))
    f.create_dataset("enum", data=np.array([0, 1, 2, 1], dtype="u1"),
                     dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="u1"))
    f.create_dataset("enum_i32", data=np.array([-1, 100], dtype="i4"),
                     dtype=h5py.enum_dtype({"NEG": -1, "HUNDRED": 100, "unused name": 5}, basetype="i4"))
    f.create_dataset("bool", data=np.array([True, False, True]))
    at = h5py.h5t.array_create(h5py.h5t.NATIVE_INT16, (2, 3))
    ds = h5py.h5d.create(f.id, b"array", at, h5py.h5s.create_simple((2,)))
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(12, dtype="i2").reshape(2, 2, 3), mtype=at)
    f.create_dataset("opaque", data=np.array([b"\x01\x02\x03\x04", b"\xff\x00\x10\x20"], dtype="V4"))
    ot = h5py.h5t.create(h5py.h5t.OPAQUE, 2)
    ot.set_tag(b"my tag")
    ds = h5py.h5d.create(f.id, b"opaque_tagged", ot, h5py.h5s.create_simple((3,)))
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.frombuffer(b"abcdef", dtype="V2"), mtype=ot)
    for name, base in ((b"bitfield8", h5py.h5t.STD_B8LE), (b"bitfield16be", h5py.h5t.STD_B16BE),
                       (b"bitfield32", h5py.h5t.STD_B32LE)):
        ds = h5py.h5d.create(f.id, name, base.copy(), h5py.h5s.create_simple((2,)))
        size = base.get_size()
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.frombuffer(bytes(range(1, 2 * size + 1)), dtype=f"V{size}"), mtype=ds.get_type())
    f.create_dataset("vlen_int", data=np.array([np.arange(3), np.arange(0), np.arange(5)], dtype=object),
                     dtype=h5py.vlen_dtype("i4"))
    f.create_dataset("vlen_float", data=np.array([np.array([0.5]), np.array([1.5, 2.5])], dtype=object),
                     dtype=h5py.vlen_dtype("f8"))
    target = f["ints/u8le"]
    f.create_dataset("refs", data=np.array([target.ref, f["floats"].ref]), dtype=h5py.ref_dtype)
    f["named_type"] = np.dtype("<i8")
    f.create_dataset("uses_named_type", data=np.arange(3), dtype=f["named_type"])
    f.create_dataset("long_double", data=np.array([1.25, -2.0], dtype=np.longdouble))
    i24 = h5py.h5t.STD_I32LE.copy()
    i24.set_precision(24)
    i24.set_offset(4)
    ds = h5py.h5d.create(f.id, b"int_precision", i24, h5py.h5s.create_simple((2,)))
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([5, -3], dtype="i4"))

# Region references: h5ls -d prints each in h5dump's words (DATASET "/path" {
# REGION_TYPE BLOCK|POINT ..., DATATYPE, DATASPACE }), wrapped at 80 columns.
with h5py.File(path("region.h5"), "w") as f:
    def region(ds, select):
        space = ds.id.get_space()
        select(space)
        return h5py.h5r.create(f.id, ds.name.encode(), h5py.h5r.DATASET_REGION, space)

    def points(ds, coords):
        return region(ds, lambda sp: sp.select_elements(np.array(coords, dtype="u8")))

    target = f.create_dataset("target", data=np.arange(4, dtype="u1"))
    f.create_dataset("region_refs", data=np.array([target.regionref[1:3]]), dtype=h5py.regionref_dtype)
    data = f.create_dataset("data", data=np.arange(100).reshape(10, 10))
    d1 = f.create_dataset("d1", data=np.arange(30, dtype="u1"))
    d3 = f.create_dataset("grp/d3", data=np.arange(60, dtype="f4").reshape(3, 4, 5))
    grow = f.create_dataset("grow", data=np.arange(200, dtype=">i2").reshape(2, 100), maxshape=(None, 100),
                            chunks=(1, 50))
    refs = f.create_dataset("refs", (12,), dtype=h5py.regionref_dtype)  # element 4 and 11 stay null
    refs[0] = data.regionref[1:3, 2:5]
    refs[1] = data.regionref[0:10:2, 0:10:3]                 # 20 blocks: wrapped lines
    refs[2] = d1.regionref[3:7]
    refs[3] = d3.regionref[0:2, 1:3, ::2]
    refs[5] = points(data, [[0, 0], [1, 1], [9, 9], [3, 4]])
    refs[6] = region(data, lambda sp: sp.select_all())
    refs[7] = region(data, lambda sp: sp.select_none())
    refs[8] = points(d1, [[i] for i in range(0, 30, 2)])
    refs[9] = grow.regionref[0:2, 0:100:3]
    refs[10] = points(d3, [[0, 0, 0], [2, 3, 4]])
    f.create_dataset("scalar_ref", data=data.regionref[4:5, 4:6], dtype=h5py.regionref_dtype)
    many = f.create_dataset("many", (40,), dtype=h5py.regionref_dtype)
    for i in range(40):
        many[i] = points(d1, [[i % 30]]) if i % 3 == 0 else data.regionref[i % 10:i % 10 + 1, 0:i % 7 + 1]
    # Targets of every datatype class h5dump spells out (some over several lines).
    t = f.create_group("targets")
    kinds = [
        t.create_dataset("fixed_string", data=np.array([b"ab", b"cd", b"ef"], dtype="S3")),
        t.create_dataset("vlen_string", data=["x", "y"], dtype=h5py.string_dtype()),
        t.create_dataset("compound", data=np.zeros(2, dtype=[("a", [("x", "u1"), ("s", "S4")]), ("b", ">f8")])),
        t.create_dataset("enum", data=np.array([0, 1], dtype="u1"),
                         dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="u1")),
        t.create_dataset("vlen_int", data=np.array([np.arange(2), np.arange(3)], dtype=object),
                         dtype=h5py.vlen_dtype("i4")),
        t.create_dataset("scalar", data=5),
    ]
    at = h5py.h5t.array_create(h5py.h5t.STD_I16BE, (2, 3))
    kinds.append(h5py.Dataset(h5py.h5d.create(t.id, b"array", at, h5py.h5s.create_simple((2,)))))
    ot = h5py.h5t.create(h5py.h5t.OPAQUE, 2)
    ot.set_tag(b"a tag")
    kinds.append(h5py.Dataset(h5py.h5d.create(t.id, b"opaque", ot, h5py.h5s.create_simple((3,)))))
    kinds.append(h5py.Dataset(h5py.h5d.create(t.id, b"bitfield", h5py.h5t.STD_B16BE.copy(),
                                              h5py.h5s.create_simple((3,)))))
    f.create_dataset("type_refs", data=[k.regionref[()] if k.shape == () else k.regionref[0:1] for k in kinds],
                     dtype=h5py.regionref_dtype)
    # Names long enough to push the "{" after them onto a line of its own.
    long_a = f.create_dataset("a_really_long_dataset_name_that_goes_on_and_on_and_on_for_quite_a_while_x",
                              data=np.arange(10))
    long_b = f.create_dataset("n" * 62, data=np.arange(10))
    f.create_dataset("long_names", data=[points(long_a, [[1], [2]]), long_a.regionref[1:2], long_b.regionref[0:1],
                                         points(long_b, [[3]])], dtype=h5py.regionref_dtype)
    # 22500 blocks: more than h5dig reads of a selection at a time.
    wide = f.create_dataset("wide", shape=(300, 300), dtype="u1")
    f.create_dataset("huge_selection", data=[wide.regionref[::2, ::2], wide.regionref[1:3, 1:3]],
                     dtype=h5py.regionref_dtype)
    # Nested in other values h5ls prints only the dataset name.
    f.create_dataset("in_compound", data=np.array([(1, data.regionref[0:2, 0:2]), (2, None)],
                                                  dtype=[("id", "i4"), ("r", h5py.regionref_dtype)]))
    f.create_dataset("in_array", data=np.array([[d1.regionref[0:1], data.regionref[1:2, 1:2]], [None, None]],
                                               dtype=np.dtype((h5py.regionref_dtype, (2,)))))
    # Region references inside the DATA block of an object reference.
    names = [f.create_dataset("b" * n, data=np.arange(3)) for n in (48, 49, 50, 55)]
    boundary = f.create_dataset("boundary", data=[x.regionref[0:1] for x in names] + [points(names[1], [[1]])],
                                dtype=h5py.regionref_dtype)
    f.create_dataset("objref_to_regions", data=[boundary.ref, refs.ref], dtype=h5py.ref_dtype)
    f.attrs.create("objref_to_regions", [boundary.ref, refs.ref], dtype=h5py.ref_dtype)
    gone = f.create_dataset("gone", data=np.arange(3))
    f.create_dataset("dangling", data=[gone.regionref[0:1], d1.regionref[0:2]], dtype=h5py.regionref_dtype)
    del f["gone"]
    # Attributes: region references, and plain values at the width boundaries.
    f.attrs.create("aref", data.regionref[2:4, 1:2], dtype=h5py.regionref_dtype)
    f.attrs.create("arefs", [data.regionref[0:10:2, 0:10:3], d1.regionref[1:2], points(data, [[1, 2], [3, 4]]),
                             long_b.regionref[0:1], kinds[3].regionref[0:1]], dtype=h5py.regionref_dtype)
    f.attrs["pixels"] = np.arange(40, dtype="i8")
    f.attrs["pairs"] = np.array([(1, 2.5)] * 3, dtype=[("a", "i4"), ("b", "f8")])
    data.attrs.create("self", [data.regionref[0:2, 0:1], points(d3, [[1, 1, 1]])], dtype=h5py.regionref_dtype)
    data.attrs.create("compound", np.array([(7, d1.regionref[0:1])], dtype=[("i", "i4"), ("r", h5py.regionref_dtype)]))

# Object references outside datasets of them: in attributes (each target with its
# values, like a dataset of references) and nested in compounds and arrays.
with h5py.File(path("objrefs.h5"), "w") as f:
    d = f.create_dataset("d", data=np.arange(40))
    g = f.create_group("g")
    s = f.create_dataset("s", data=np.arange(6).reshape(2, 3))
    f.create_dataset("refs", data=[d.ref, g.ref, s.ref, None], dtype=h5py.ref_dtype)
    f.attrs.create("refs", [d.ref, g.ref, s.ref, None], dtype=h5py.ref_dtype)
    f.attrs.create("one", s.ref, dtype=h5py.ref_dtype)
    s.attrs.create("in_compound", np.array([(1, d.ref), (2, None)], dtype=[("i", "i4"), ("r", h5py.ref_dtype)]))
    f.create_dataset("in_compound", data=np.array([(1, g.ref), (2, s.ref)], dtype=[("i", "i4"), ("r", h5py.ref_dtype)]))
    f.create_dataset("in_array", data=np.array([[d.ref, g.ref]], dtype=np.dtype((h5py.ref_dtype, (2,)))))

# ---- attributes -----------------------------------------------------------------
with h5py.File(path("attrs.h5"), "w") as f:
    f.attrs["title"] = "root attribute"
    f.attrs["version"] = np.int32(3)
    g = f.create_group("instrument")
    g.attrs["pixels"] = np.arange(40, dtype="i8")
    g.attrs["energy"] = 12.4
    g.attrs["names"] = np.array([b"one", b"two", b"three"], dtype="S5")
    g.attrs["vnames"] = np.array(["x", "yy", "zzz"], dtype=h5py.string_dtype())
    g.attrs["empty"] = h5py.Empty("f4")
    g.attrs["matrix"] = np.arange(6, dtype="f4").reshape(2, 3)
    g.attrs["with space"] = np.uint8(7)
    g.attrs["compound"] = np.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i2"), ("b", "f8")])
    g.attrs["flag"] = np.bool_(True)
    g.attrs["repeats"] = np.bytes_(b"xaaaaaaaaaaaay")
    d = g.create_dataset("frames", data=np.zeros((2, 3), dtype="u2"))
    d.attrs["units"] = "counts"
    d.attrs["scale"] = np.array([0.5, 0.25])
    d.attrs["long_floats"] = np.linspace(0, 1, 23)

# ---- layouts -----------------------------------------------------------------------
with h5py.File(path("layouts.h5"), "w") as f:
    f.create_dataset("contiguous", data=np.arange(100, dtype="u2").reshape(10, 10))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    ds = h5py.h5d.create(f.id, b"compact", h5py.h5t.NATIVE_INT32, h5py.h5s.create_simple((5,)), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype="i4"))
    f.create_dataset("chunked", data=np.arange(1000, dtype="f4").reshape(10, 100), chunks=(4, 30))
    f.create_dataset("unlimited", data=np.arange(7, dtype="i8"), maxshape=(None,), chunks=(3,))
    f.create_dataset("unlimited_2d", shape=(2, 3), maxshape=(None, 10), dtype="u1", chunks=(1, 3))
    f.create_dataset("unallocated", shape=(5, 5), dtype="f8")
    f.create_dataset("unallocated_chunked", shape=(50,), dtype="i2", chunks=(10,))
    f.create_dataset("scalar", data=np.float32(2.5))
    f.create_dataset("null", data=h5py.Empty("i4"))
    f.create_dataset("zero_size", shape=(0,), maxshape=(None,), dtype="f4")
    f.create_dataset("external", data=np.arange(8, dtype="<i4"),
                     external=[("ext_a.bin", 0, 16), ("ext_b.bin", 4, 16)])
    with h5py.File(path("vds_source.h5"), "w") as s:
        for i in range(3):
            s.create_dataset(f"part{i}", data=np.full((4,), i, dtype="i4"))
    layout = h5py.VirtualLayout(shape=(3, 4), dtype="i4")
    for i in range(3):
        layout[i] = h5py.VirtualSource("vds_source.h5", f"part{i}", shape=(4,))
    f.create_virtual_dataset("virtual", layout, fillvalue=-1)
    f.create_dataset("tracked", data=np.arange(3), track_times=True)

# ---- filters -------------------------------------------------------------------------
with h5py.File(path("filters.h5"), "w") as f:
    data = (np.arange(4096, dtype="u2") % 97).reshape(64, 64)
    f.create_dataset("deflate", data=data, chunks=(16, 16), compression="gzip", compression_opts=4)
    f.create_dataset("shuffle_deflate_fletcher", data=data, chunks=(32, 32), shuffle=True,
                     compression="gzip", fletcher32=True)
    f.create_dataset("lz4", data=data, chunks=(16, 64), compression=32004)
    f.create_dataset("bitshuffle", data=data, chunks=(64, 64), compression=32008, compression_opts=(0, 2))
    f.create_dataset("blosc", data=data, chunks=(8, 64), compression=32001,
                     compression_opts=(0, 0, 0, 0, 5, 1, 1))
    f.create_dataset("scaleoffset", data=data, chunks=(16, 16), scaleoffset=0)
    f.create_dataset("nbit_like_int", data=data.astype("i4"), chunks=(16, 16), compression="gzip",
                     compression_opts=9)

# ---- libver latest (new chunk indexes, creation order) ---------------------------------
with h5py.File(path("latest.h5"), "w", libver="latest") as f:
    f.create_dataset("single_chunk", data=np.arange(10, dtype="i2"), chunks=(10,))
    f.create_dataset("fixed_array", data=np.arange(40, dtype="i2"), chunks=(8,))
    f.create_dataset("extensible", data=np.arange(30, dtype="i2"), chunks=(8,), maxshape=(None,))
    f.create_dataset("btree2", data=np.arange(36, dtype="i2").reshape(6, 6), chunks=(4, 4),
                     maxshape=(None, None), compression="gzip")
    g = f.create_group("ordered", track_order=True)
    for name in ("zeta", "alpha", "mid"):
        g.create_dataset(name, data=np.arange(2))
    g.attrs["z_first"] = 1
    g.attrs["a_second"] = 2
