"""h5dig from Python: HDF5 chunked datasets read at the speed of the decompressors.

A thin layer over h5dig's C++ library. Reads decode on every core with the GIL
released, so many Python threads may read at once, from one File or several.

    import h5dig
    with h5dig.File("frames.h5") as f:
        ds = f["/entry/data"]
        ds.shape, ds.dtype, ds.chunks, ds.filters, dict(ds.attrs)
        frame = ds[5]                  # numpy basic indexing: ints, slices, steps, ...
        block = ds[10:20, :, 0:512]
        ds.read(out=preallocated)      # into a caller's C-contiguous array
        table = ds.chunk_table()       # offset, filter_mask, byte_offset, size per chunk

    h5dig.to_dask("frames.h5", "/entry/data")            # dask.array, blocks = stored chunks
    xarray.open_dataset("file.nc", engine="h5dig")       # the xarray backend
    h5dig.kerchunk("frames.h5")                           # kerchunk references
    h5dig.decode(raw, ds.filters, ds.chunks, ds.dtype)    # one stored chunk's bytes

Variable-length strings read as bytes (``ds.asstr()[...]`` gives str) and
variable-length sequences as 1-D arrays, in object arrays, as h5py gives them.

Large results (4 MiB and up) are h5dig's own memory: when such an array is
freed, its pages are kept for up to 10 s for the next result of about the same
size, so a loop of read-and-drop touches fresh memory once
(H5DIG_KEEP_OUTPUTS=0 keeps nothing; ``h5dig.release_memory()`` lets go now).

Errors raise h5dig.Error (an OSError) with the one-line message the command line
prints; ``.kind`` is "io", "corrupt" or "unsupported". Bad selections raise
IndexError or ValueError, as numpy's do.
"""
import json
import os
import posixpath
import warnings
from collections.abc import Mapping

from . import _h5dig
from ._h5dig import Error, decode, release_memory, __version__
from ._types import Empty, Filter
from ._dask import to_dask

__all__ = ["File", "Group", "Dataset", "Empty", "Error", "Filter", "decode", "kerchunk", "release_memory", "to_dask",
           "__version__"]


def _text(name):
    """A name as str: one that is not UTF-8 (which keys() and visit() give as bytes, as
    h5py does) with its other bytes as lone surrogates, which the core maps back."""
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def _join(base, name):
    return posixpath.normpath(posixpath.join(base, name)) if name else base


class AttributeManager(Mapping):
    """The attributes of a group or dataset (read-only, dict-like), read on first use.

    Values are as h5py gives them: numpy scalars and arrays, bytes for
    fixed-length strings, str for variable-length ones.
    """

    def __init__(self, file, path):
        self._file, self._path, self._values = file, path, None

    def _all(self):
        if self._values is None:
            self._values = self._file.attrs(self._path)
        return self._values

    def __getitem__(self, name):
        value = self._all()[name]
        if isinstance(value, Error):  # this attribute alone could not be read (e.g. HDF5's time class)
            error = Error(*value.args)
            error.kind = value.kind
            raise error from None
        return value

    def __contains__(self, name):
        return name in self._all()  # without reading it (Mapping's would, and raise for an unreadable one)

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())

    def __repr__(self):
        return f"<h5dig attributes of {self._path!r}: {sorted(self._all())}>"


class Group(Mapping):
    """A group: ``g[name]`` (relative or absolute path), ``keys()``, ``visit()``, ``attrs``."""

    def __init__(self, file, path):
        self._file, self.name = file, path

    @property
    def file(self):
        return self._file

    @property
    def attrs(self):
        return AttributeManager(self._file._core, self.name)

    def _resolve(self, name):
        name = _text(name)
        return name if name.startswith("/") else _join(self.name, name)

    def __getitem__(self, name):
        path = self._resolve(name)
        kind = self._file._core.kind(path)
        if kind == "group":
            return Group(self._file, path)
        if kind == "dataset":
            return Dataset(self._file, path)
        if kind is None:
            raise KeyError(f"{self._file.filename}: no object '{path}'")
        raise KeyError(f"{self._file.filename}: '{path}' is a {kind}, not a group or dataset")

    def __contains__(self, name):
        return self._file._core.kind(self._resolve(name)) is not None

    def keys(self):
        return self._file._core.keys(self.name)

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def visit(self, func):
        """Calls func(name) for every object below this group (names relative to
        it, depth first in name order); stops at the first non-None result and
        returns it, as h5py's visit does."""
        for name in self._file._core.visit(self.name):
            result = func(name)
            if result is not None:
                return result
        return None

    def visititems(self, func):
        for name in self._file._core.visit(self.name):
            result = func(name, self[name])
            if result is not None:
                return result
        return None

    def __repr__(self):
        return f"<h5dig group {self.name!r} ({len(self)} members)>"


class File(Group):
    """An HDF5 file opened read-only; a context manager. ``f["/a/b"]`` opens a group or dataset."""

    def __init__(self, path):
        self.filename = os.fspath(path)
        self._core = _h5dig.File(self.filename)
        super().__init__(self, "/")

    def close(self):
        self._core.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "open" if self._core.is_open else "closed"
        return f"<h5dig file {self.filename!r} ({state})>"


class Dataset:
    """A dataset: ``shape``, ``dtype`` (as h5py gives it), ``chunks``, ``filters``,
    ``attrs``; ``ds[...]`` with numpy basic indexing; ``read()``; ``chunk_table()``."""

    def __init__(self, file, path):
        self._file = file
        self._core = _h5dig.Dataset(file._core, path)
        self.name = _text(self._core.name)

    file = property(lambda self: self._file)
    shape = property(lambda self: self._core.shape)
    maxshape = property(lambda self: self._core.maxshape)
    dtype = property(lambda self: self._core.dtype)
    chunks = property(lambda self: self._core.chunks, doc="stored chunk shape, or None unless chunked")
    fillvalue = property(lambda self: self._core.fillvalue,
                         doc="what unwritten elements read as (h5py's fillvalue); None for variable-length data")
    layout = property(lambda self: self._core.layout, doc="'chunked', 'contiguous', 'compact' or 'virtual'")
    filters = property(lambda self: self._core.filters, doc="the filter pipeline: a list of h5dig.Filter")

    @property
    def attrs(self):
        return AttributeManager(self._file._core, self.name)

    # A null dataspace (no elements at all) has shape None, as in h5py: ndim 0,
    # size None, nbytes 0, and its value is an h5dig.Empty.
    @property
    def ndim(self):
        return 0 if self.shape is None else len(self.shape)

    @property
    def size(self):
        if self.shape is None:
            return None
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def nbytes(self):
        return 0 if self.shape is None else self.size * self.dtype.itemsize

    def __len__(self):
        if not self.shape:
            raise TypeError("a scalar dataset has no len()")
        return self.shape[0]

    def __getitem__(self, key):
        return self._core[key]

    def read(self, selection=None, out=None, threads=0):
        """Reads `selection` (a numpy basic index such as ``np.s_[10:20, :, ::2]``;
        None = everything) into `out` (a C-contiguous array of the dataset's dtype
        and the selection's shape; allocated when None) on `threads` threads
        (0 = all cores). Returns the array."""
        return self._core.read(selection, out, threads)

    def asstr(self, encoding=None, errors="strict"):
        """The dataset's strings as str rather than bytes, as h5py's ``asstr()``:
        ``ds.asstr()[...]`` is an object array of str, ``ds.asstr()[i]`` one str.
        `encoding` defaults to the dataset's (UTF-8 or ASCII)."""
        return AsStrWrapper(self, encoding, errors)

    def chunk_table(self):
        """Every allocated chunk, in C order of offsets, as a numpy structured array:
        ``offset`` (element coordinates, one per dimension), ``filter_mask``,
        ``byte_offset`` (in the file) and ``size`` (stored bytes). Built from the
        file's chunk index in one pass."""
        return self._core.chunk_table()

    def describe(self):
        """One line: type, layout, filters, and whether h5dig or H5Dread decodes it."""
        return self._core.describe()

    def __array__(self, dtype=None):
        a = self._core[...]
        return a if dtype is None else a.astype(dtype)

    def __repr__(self):
        return f"<h5dig dataset {self.name!r}: shape {self.shape}, type {self.dtype.str}>"


class AsStrWrapper:
    """``ds.asstr()``: indexing decodes the dataset's strings (h5py's AsStrWrapper)."""

    def __init__(self, dset, encoding=None, errors="strict"):
        import numpy as np

        info = _string_info(dset.dtype)
        if info is None:
            raise TypeError("dset.asstr() can only be used on datasets with an HDF5 string datatype")
        self._dset, self._np = dset, np
        self.encoding = encoding or info
        self.errors = errors

    def __getitem__(self, key):
        if self._dset._core.is_vlen_string:
            return self._dset._core.getitem_str(key, self.encoding, self.errors)
        a = self._dset[key]  # fixed-length strings: numpy bytes
        if self._np.isscalar(a):
            return a.decode(self.encoding, self.errors)
        return self._np.array([b.decode(self.encoding, self.errors) for b in a.flat], dtype=object).reshape(a.shape)

    def __len__(self):
        return len(self._dset)

    def __array__(self, dtype=None):
        a = self[...]
        return a if dtype is None else a.astype(dtype)


def _string_info(dtype):
    """The encoding of a string dtype as h5py marks it ('utf-8', 'ascii'), or None."""
    meta = dtype.metadata or {}
    if dtype.kind == "O":
        vlen = meta.get("vlen")
        if vlen is str:
            return "utf-8"
        if vlen is bytes:
            return "ascii"
        return None
    if dtype.kind == "S":
        # Fixed-length strings carry their character set as h5py's metadata; as in
        # h5py, ASCII ones decode strictly as ASCII (asstr("utf-8") for other bytes).
        return meta.get("h5py_encoding", "utf-8")
    return None


def kerchunk(path, dataset=None):
    """kerchunk (version 1) references for the chunked datasets of `path` (or one
    `dataset`), as a dict, with chunk locations from h5dig's chunk maps.

    A dataset zarr cannot describe (filters such as bitshuffle or HDF5's LZ4,
    contiguous layout, ...) raises h5dig.Error when named, and is left out with a
    warning otherwise."""
    path = os.fspath(path)
    refs = {}
    skipped = []
    for name, text, error in _h5dig._kerchunk(path, dataset):
        if text is None:
            skipped.append(error)
            continue
        refs.update(json.loads(text)["refs"])
    if skipped:
        warnings.warn("h5dig.kerchunk left out: " + "; ".join(skipped), stacklevel=2)
    return {"version": 1, "refs": refs}
