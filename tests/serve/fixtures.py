#!/usr/bin/env python3
"""Read fixtures for the `h5dig serve` tests, written at test time by h5py (and the
Debian HDF5 filter plugins), plus `h5dig repack` for the one filter Debian has no
plugin for (zstd, 32015).

    /usr/bin/python3 tests/serve/fixtures.py OUT_DIR [--h5dig build/h5dig]

OUT_DIR/served/ is the directory the server is given; OUT_DIR/outside/ is next to it
and must never be reachable through the server. The layout:

    served/frames.h5        /entry/data/data   (4, 1024, 1024) uint16, bitshuffle+LZ4, a frame a chunk
                            /entry/data/data_deflate  the same frames, shuffle+deflate
                            /entry/spectrum    (2048,) float64, a line with attributes
    served/filters.h5       one (250, 300) dataset per filter and layout, partial edge chunks
    served/types.h5         every type class h5py writes, scalars, empty, attributes
    served/links.h5         groups (one tracking creation order), soft (valid, broken), external
                            and hard links, a committed type
    served/corrupt.h5       /data (4, 64, 64) deflate, chunk [2, 0, 0] overwritten with garbage
    served/big.h5           /huge (300, 1024, 1024) uint8, never written: 300 MiB to select, 4 kB on disk
    served/sub/nested.h5    a file in a sub-directory
    served/link_in.h5       symlink -> frames.h5 (inside: served)
    served/link_out.h5      symlink -> ../outside/secret.h5 (leads out: never served)
    served/dir_out          symlink -> ../outside (leads out: never served)
    served/.hidden.h5       a dot-name (never served)
    served/notes.txt        not HDF5 (never served)
    outside/secret.h5       must stay unreachable

As a module: `make(out_dir, h5dig)` returns the paths, and `FILTER_DATASETS` names
the datasets of filters.h5 with the filter ids each carries.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

FRAME_SHAPE = (4, 1024, 1024)
FILTER_SHAPE = (250, 300)
FILTER_CHUNKS = (64, 64)

# name -> (h5py create_dataset keyword arguments, filter ids in pipeline order).
# compression_opts follow each plugin's cd_values: bitshuffle (block size, 2 = LZ4 /
# 3 = zstd); blosc (4 reserved slots, level, shuffle 0/1/2, compressor 0 blosclz,
# 1 lz4, 4 zlib, 5 zstd).
FILTER_DATASETS: dict[str, tuple[dict, list[int]]] = {
    "contiguous": ({}, []),
    "chunked": ({"chunks": FILTER_CHUNKS}, []),
    "deflate": ({"chunks": FILTER_CHUNKS, "compression": "gzip", "compression_opts": 4}, [1]),
    "shuffle_deflate": ({"chunks": FILTER_CHUNKS, "compression": "gzip", "shuffle": True}, [2, 1]),
    "fletcher32_deflate": ({"chunks": FILTER_CHUNKS, "compression": "gzip", "fletcher32": True},
                           [1, 3]),
    "lz4": ({"chunks": FILTER_CHUNKS, "compression": 32004, "compression_opts": ()}, [32004]),
    "bitshuffle_lz4": ({"chunks": FILTER_CHUNKS, "compression": 32008, "compression_opts": (0, 2)},
                       [32008]),
    "bitshuffle_zstd": ({"chunks": FILTER_CHUNKS, "compression": 32008, "compression_opts": (0, 3)},
                        [32008]),
    "blosc_lz4_shuffle": ({"chunks": FILTER_CHUNKS, "compression": 32001,
                           "compression_opts": (0, 0, 0, 0, 5, 1, 1)}, [32001]),
    "blosc_blosclz_bitshuffle": ({"chunks": FILTER_CHUNKS, "compression": 32001,
                                  "compression_opts": (0, 0, 0, 0, 9, 2, 0)}, [32001]),
    "blosc_zstd": ({"chunks": FILTER_CHUNKS, "compression": 32001,
                    "compression_opts": (0, 0, 0, 0, 3, 1, 5)}, [32001]),
    "blosc_zlib": ({"chunks": FILTER_CHUNKS, "compression": 32001,
                    "compression_opts": (0, 0, 0, 0, 5, 0, 4)}, [32001]),
    # Filters h5dig has no codec for: served through a clear error, or HDF5's plugin.
    "lzf": ({"chunks": FILTER_CHUNKS, "compression": "lzf"}, [32000]),
    "bzip2": ({"chunks": FILTER_CHUNKS, "compression": 307, "compression_opts": (9,)}, [307]),
}
# Written by `h5dig repack` from /chunked (no Debian plugin decodes 32015).
ZSTD_DATASET = "zstd"
# Filter datasets whose codec h5dig has: they must be served without any HDF5 plugin.
H5DIG_CODEC_DATASETS = [n for n, (_, ids) in FILTER_DATASETS.items()
                        if not set(ids) & {32000, 307}] + [ZSTD_DATASET]


def detector_frames(shape=FRAME_SHAPE, seed=7) -> np.ndarray:
    """Powder-diffraction-like frames: Debye-Scherrer rings on a background, Poisson
    noise, and the gaps between detector modules (zeros)."""
    rng = np.random.default_rng(seed)
    n, h, w = shape
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot(y - 0.42 * h, x - 0.55 * w)
    rings = sum(a * np.exp(-0.5 * ((r - r0) / s) ** 2)
                for a, r0, s in [(900, 110, 4), (500, 190, 5), (700, 260, 3), (300, 340, 6),
                                 (400, 420, 4), (150, 520, 8)])
    mean = 20 + 60 * np.exp(-r / 300) + rings
    frames = np.empty(shape, dtype="<u2")
    for i in range(n):
        frames[i] = rng.poisson(mean * (1 + 0.1 * i)).astype("<u2")
    frames[:, :, 510:514] = 0
    frames[:, 340:346, :] = 0
    frames[:, 680:686, :] = 0
    return frames


def spectrum(n=2048, seed=3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = np.linspace(0, 20, n)
    peaks = sum(a * np.exp(-0.5 * ((e - c) / s) ** 2)
                for a, c, s in [(80, 5.9, 0.08), (25, 6.5, 0.09), (40, 8.05, 0.1), (15, 11.2, 0.2)])
    return 3 + 10 * np.exp(-e / 4) + peaks + rng.normal(0, 0.6, n)


def filter_data() -> np.ndarray:
    rng = np.random.default_rng(11)
    return (rng.poisson(40, FILTER_SHAPE) + np.arange(FILTER_SHAPE[1]) // 7).astype("<u2")


def write_frames(path: Path) -> None:
    frames = detector_frames()
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        d = data.create_dataset("data", data=frames, chunks=(1,) + FRAME_SHAPE[1:],
                                compression=32008, compression_opts=(0, 2))
        d.attrs["units"] = "counts"
        data.create_dataset("data_deflate", data=frames, chunks=(1,) + FRAME_SHAPE[1:],
                            compression="gzip", compression_opts=4, shuffle=True)
        s = entry.create_dataset("spectrum", data=spectrum())
        s.attrs["units"] = "counts"
        s.attrs["long_name"] = "fluorescence spectrum"
        s.attrs["energy_range_keV"] = np.array([0.0, 20.0])


def write_filters(path: Path, h5dig: str | None) -> None:
    a = filter_data()
    with h5py.File(path, "w") as f:
        for name, (kwargs, _) in FILTER_DATASETS.items():
            f.create_dataset(name, data=a, **kwargs)
        sparse = f.create_dataset("sparse", shape=FILTER_SHAPE, dtype="<i4", chunks=FILTER_CHUNKS,
                                  compression="gzip", fillvalue=-7)
        sparse[70:130, 10:20] = 5
    # h5py writes the compact layout through the low-level API only.
    with h5py.File(path, "a") as f:
        space = h5py.h5s.create_simple((3, 4))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I32LE, space, dcpl=dcpl)
        f["compact"][...] = np.arange(12, dtype="<i4").reshape(3, 4)
    if h5dig:
        # repack writes another file; H5Ocopy moves the chunks over as stored (no plugin).
        side = path.with_name(path.stem + "_zstd.tmp")
        subprocess.run([h5dig, "repack", "--chunks", ",".join(map(str, FILTER_CHUNKS)),
                        "--filter", "zstd=3", f"{path}/chunked", f"{side}/{ZSTD_DATASET}"],
                       check=True, stdout=subprocess.DEVNULL)
        with h5py.File(side, "r") as src, h5py.File(path, "a") as dst:
            src.copy(src[ZSTD_DATASET], dst, name=ZSTD_DATASET)
        side.unlink()


def write_types(path: Path) -> None:
    with h5py.File(path, "w") as f:
        for t in ["<i1", "<u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", ">i4", ">u2"]:
            name = {"<": "", ">": "be_"}[t[0]] + np.dtype(t).name
            info = np.iinfo(t)
            f[name] = np.array([info.min, -1 if info.min else 0, 0, 1, 42, info.max], dtype=t)
        f["float16"] = np.array([0.5, -1.25, 65504, 1e-3], dtype="<f2")
        f["float32"] = np.array([0.1, -2.5, 3.4e38, 1e-8, np.nan, np.inf], dtype="<f4")
        f["float64"] = np.array([0.1, -2.5, 1.7e308, 5e-324, np.nan, -np.inf], dtype="<f8")
        f["be_float64"] = np.array([0.1, -2.5, 1e100], dtype=">f8")
        f["bool"] = np.array([True, False, True])
        f.create_dataset("enum", data=np.array([0, 1, 42, 1], dtype="u1"),
                         dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="u1"))
        f["complex64"] = np.array([1 + 2j, -0.5 - 1j], dtype="<c8")
        f["complex128"] = np.array([1 + 2j, 3.25 - 4j], dtype="<c16")
        compound = np.dtype([("id", "<i4"), ("x", "<f8"), ("name", "S8")])
        f["compound"] = np.array([(1, 0.5, b"alpha"), (2, -1.5, b"beta")], dtype=compound)
        f["fixed_ascii"] = np.array([b"one", b"two", b"three"], dtype="S5")
        # HDF5 1.10 has no conversion from h5py's ASCII 'S' strings to UTF-8 fixed ones:
        # write the bytes with the dataset's own type as the memory type.
        utf8 = f.create_dataset("fixed_utf8", shape=(2,), dtype=h5py.string_dtype("utf-8", 10))
        utf8.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(["é".encode(), b"ab"], dtype="S10"),
                      mtype=utf8.id.get_type())
        f.create_dataset("vlen_utf8", data=["héllo", "wörld", ""], dtype=h5py.string_dtype())
        f.create_dataset("vlen_ascii", data=[b"abc", b"de"], dtype=h5py.string_dtype("ascii"))
        f["scalar_int"] = np.int32(-17)
        f["scalar_float"] = np.float64(2.718281828459045)
        f.create_dataset("scalar_vlen_str", data="a scalar string", dtype=h5py.string_dtype())
        f["scalar_fixed_str"] = np.bytes_(b"fixed")
        f["empty"] = h5py.Empty("<f4")
        f["zero_length"] = np.zeros((0,), dtype="<f4")
        f["float32_2d"] = (np.arange(6 * 7, dtype="<f4").reshape(6, 7) / 4 - 3)
        f["int16_3d"] = np.arange(2 * 3 * 4, dtype="<i2").reshape(2, 3, 4) - 12
        # An HDF5 array type (class 10): each element is an int32[3].
        arr = f.create_dataset("array", shape=(2,), dtype=np.dtype(("<i4", (3,))))
        arr[...] = np.array([[1, 2, 3], [4, 5, 6]], dtype="<i4")
        f["opaque"] = np.array([b"\x01\x02\x03\x04", b"\xff\x00\xff\x00"], dtype="V4")
        f.create_dataset("vlen_int", shape=(2,), dtype=h5py.vlen_dtype("<i4"))
        f["vlen_int"][0] = np.array([1, 2, 3], dtype="<i4")
        f["vlen_int"][1] = np.array([4], dtype="<i4")

        target = f["float32_2d"]
        target.attrs["int"] = np.int64(42)
        target.attrs["float"] = 1.5
        target.attrs["float_array"] = np.array([0.25, 0.5, 1e-3])
        target.attrs["int_2d"] = np.arange(6, dtype="<i2").reshape(2, 3)
        target.attrs["fixed_str"] = np.bytes_(b"fixed attr")
        target.attrs["vlen_str"] = "vlen attr é"
        target.attrs["vlen_str_array"] = np.array(["a", "bc"], dtype=h5py.string_dtype())
        target.attrs["bool"] = np.bool_(True)
        target.attrs["empty"] = h5py.Empty("<i4")
        f.attrs["title"] = "types fixture"
        f.attrs["version"] = np.int32(3)


def write_links(path: Path) -> None:
    with h5py.File(path, "w") as f:
        g = f.create_group("group")
        g.attrs["description"] = "a group"
        g.create_dataset("dataset", data=np.arange(10, dtype="<i4"))
        g.create_group("subgroup").create_dataset("deep", data=np.float32(1.5))
        f.create_group("empty_group")
        tracked = f.create_group("tracked", track_order=True)  # children still listed by name
        for name in ("zeta", "alpha", "mid"):
            tracked.create_group(name)
        f["soft"] = h5py.SoftLink("/group/dataset")
        f["broken"] = h5py.SoftLink("/nowhere")
        f["external"] = h5py.ExternalLink("types.h5", "/int32")
        f["external_out"] = h5py.ExternalLink("../outside/secret.h5", "/secret")
        f["hard_alias"] = g["dataset"]
        f["committed_type"] = np.dtype("<f4")
        f["committed_type"].attrs["about"] = "a named datatype"
        f.create_dataset("typed", data=np.array([1.0, 2.0], dtype="<f4"), dtype=f["committed_type"])


def write_corrupt(path: Path) -> tuple[int, ...]:
    """Returns the corrupted chunk's coordinates."""
    a = (np.arange(4 * 64 * 64) % 1000).astype("<u2").reshape(4, 64, 64)
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=a, chunks=(1, 64, 64), compression="gzip")
        f["ok"] = np.arange(5, dtype="<i4")
    with h5py.File(path, "r") as f:
        info = f["data"].id.get_chunk_info_by_coord((2, 0, 0))
    with open(path, "r+b") as raw:
        raw.seek(info.byte_offset)
        raw.write(bytes(range(7, 7 + 64)) * (info.size // 64) + b"\x00" * (info.size % 64))
    return (2, 0, 0)


def write_big(path: Path) -> None:
    with h5py.File(path, "w") as f:
        f.create_dataset("huge", shape=(300, 1024, 1024), dtype="u1", chunks=(1, 1024, 1024),
                         compression="gzip")


def make(out_dir: Path, h5dig: str | None = None) -> dict[str, Path]:
    out_dir = Path(out_dir)
    served = out_dir / "served"
    outside = out_dir / "outside"
    for d in (served, outside):
        if d.exists():
            shutil.rmtree(d)
    (served / "sub").mkdir(parents=True)
    outside.mkdir()

    write_frames(served / "frames.h5")
    write_filters(served / "filters.h5", h5dig)
    write_types(served / "types.h5")
    write_links(served / "links.h5")
    write_corrupt(served / "corrupt.h5")
    write_big(served / "big.h5")
    with h5py.File(served / "sub" / "nested.h5", "w") as f:
        f["values"] = np.arange(3, dtype="<i4")
    with h5py.File(outside / "secret.h5", "w") as f:
        f["secret"] = np.arange(3, dtype="<i4")
    shutil.copy(outside / "secret.h5", served / ".hidden.h5")
    os.symlink("frames.h5", served / "link_in.h5")
    os.symlink("../outside/secret.h5", served / "link_out.h5")
    os.symlink("../outside", served / "dir_out")
    (served / "notes.txt").write_text("not an HDF5 file\n")
    return {"served": served, "outside": outside}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--h5dig", default=None, help="h5dig binary for the zstd dataset")
    args = parser.parse_args()
    paths = make(args.out_dir, args.h5dig)
    print(paths["served"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
