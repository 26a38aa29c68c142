"""The xarray backend: ``xr.open_dataset(path, engine="h5dig", group=...)``.

HDF5 and netCDF-4 files: dimension scales give dimension names (netCDF-4's
dimensions are dimension scales), attributes become xarray's, CF decoding is left
to xarray. Variables are read lazily, each through h5dig (all cores, no lock), and
pickle by path so that Dask workers open the file themselves.

Registered as the `xarray.backends` entry point `h5dig` (the dist-info next to the
package in build/python).
"""
import os
import posixpath
import warnings
from collections import Counter

import numpy as np
from xarray import Variable
from xarray.backends.common import AbstractDataStore, BackendArray, BackendEntrypoint
from xarray.backends.store import StoreBackendEntrypoint
from xarray.core import indexing
from xarray.core.utils import Frozen, FrozenDict

from . import Error, File, _dask, _text

# Bookkeeping attributes of dimension scales and netCDF-4, not user attributes
# (h5netcdf hides the same ones).
_HIDDEN_ATTRS = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "_Netcdf4Dimid", "_Netcdf4Coordinates",
                 "_nc3_strict", "_NCProperties"}
_NETCDF_DIM_ONLY = b"This is a netCDF dimension but not a netCDF variable"


def _attr_value(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "S":
            value = np.char.decode(value, "utf-8", "surrogateescape")
        if value.shape == (1,):  # netCDF-4 stores scalar attributes as 1-element arrays
            return value[0]
    return value


def _read_attrs(attrs, where):
    """An object's attributes as a dict, leaving out those no reader can give (HDF5's time
    class, ...) with a warning, as netCDF4-python skips the types it does not support."""
    out = {}
    for key in attrs:
        try:
            out[key] = attrs[key]
        except Error as e:
            warnings.warn(f"{where}: attribute {key!r} left out: {e}", stacklevel=3)
    return out


def _attrs(raw):
    return {k: _attr_value(v) for k, v in raw.items() if k not in _HIDDEN_ATTRS}


def _is_vlen_str(dtype):
    return dtype.kind == "O" and (dtype.metadata or {}).get("vlen") in (str, bytes)


class H5digArray(BackendArray):
    """One variable, read through h5dig on demand; pickles as (path, name).

    Variable-length strings load as str (the dataset's encoding), as h5netcdf's
    ``decode_vlen_strings`` gives them to xarray.

    `shape` may be longer than the dataset along an unlimited netCDF dimension that
    other variables have grown (netCDF's length of an unlimited dimension is the
    longest variable's): the elements beyond the dataset read as `fill`, the
    dataset's fill value, as netCDF-C gives them."""

    def __init__(self, path, name, shape, dtype, mtime_ns, stored_shape=None, fill=None):
        self.path, self.name, self.shape, self.dtype, self.mtime_ns = path, name, shape, dtype, mtime_ns
        self.stored_shape = tuple(stored_shape) if stored_shape is not None else tuple(shape)
        self.fill = fill

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._read)

    def _read(self, key):
        ds = _dask._dataset(self.path, self.name, self.mtime_ns)
        if self.stored_shape != tuple(self.shape):
            return self._read_padded(ds, key)
        return self._read_stored(ds, key)

    def _read_stored(self, ds, key):
        if _is_vlen_str(self.dtype):
            return np.asarray(ds.asstr()[key])
        return np.asarray(ds[key])

    def _read_padded(self, ds, key):
        """`key` (ints and slices over `shape`) where the dataset is shorter than `shape`:
        the part inside the dataset read as one block, the rest the fill value."""
        key = tuple(key) + (slice(None),) * (len(self.shape) - len(tuple(key)))
        block_key, takes, places, out_shape = [], [], [], []
        nothing_stored = False
        for n, stored, k in zip(self.shape, self.stored_shape, key):
            if isinstance(k, slice):
                wanted = np.arange(n)[k]
                out_shape.append(wanted.size)
                at = np.nonzero(wanted < stored)[0]  # the output positions the dataset holds
                if at.size == 0:
                    nothing_stored = True
                    continue
                lo, hi = int(wanted[at].min()), int(wanted[at].max()) + 1
                block_key.append(slice(lo, hi))
                takes.append(wanted[at] - lo)
                places.append(at)
            else:  # an integer: the axis goes
                i = int(k) + (n if int(k) < 0 else 0)
                nothing_stored = nothing_stored or i >= stored
                block_key.append(i)
        fill = self.fill if self.fill is not None else (b"" if _is_vlen_str(self.dtype) else 0)
        out = np.full(out_shape, fill, dtype=object if self.dtype.kind == "O" else self.dtype)
        if nothing_stored:
            return out
        block = self._read_stored(ds, tuple(block_key))
        for axis, t in enumerate(takes):
            block = np.take(block, t, axis=axis)
        out[np.ix_(*places)] = block
        return out


class H5digStore(AbstractDataStore):
    """The variables of one group of an HDF5/netCDF-4 file, with their dimensions."""

    def __init__(self, path, group=None):
        self.path = os.path.abspath(os.fspath(path))
        self.group = posixpath.normpath("/" + (group or "").strip("/")) if group else "/"
        self._mtime_ns = os.stat(self.path).st_mtime_ns
        self._file = File(self.path)
        kind = self._file._core.kind(self.group)
        if kind != "group":
            raise OSError(f"{self.path}: no group '{self.group}'")
        self._variables, self._dimensions = self._scan()

    def _scan(self):
        core = self._file._core
        datasets = []
        for name in map(_text, core.keys(self.group)):  # a name that is not UTF-8 comes as bytes
            path = posixpath.join(self.group, name)
            if core.kind(path) == "dataset":
                datasets.append((name, self._file[path]))
        dims = {}
        entries = []
        phony_needed = Counter()
        for name, ds in datasets:
            raw = _read_attrs(ds.attrs, ds.name)
            is_scale = raw.get("CLASS") == b"DIMENSION_SCALE"
            if is_scale and ds.ndim == 1:
                names = [name]
            elif ds.ndim:
                names = [posixpath.basename(p) if p else None for p in core.dimension_scales(ds.name)]
            else:
                names = []
            # Dimensions without scales get h5netcdf-style phony names, shared by size.
            per_var = Counter(size for size, n in zip(ds.shape, names) if n is None)
            for size, k in per_var.items():
                phony_needed[size] = max(phony_needed[size], k)
            entries.append((name, ds, names, raw, is_scale))
        phony = {}
        j = 0
        for size in sorted(phony_needed):
            phony[size] = [f"phony_dim_{j + i}" for i in range(phony_needed[size])]
            j += phony_needed[size]
        variables = {}
        for name, ds, names, raw, is_scale in entries:
            used = Counter()
            for d, n in enumerate(names):
                if n is None:
                    size = ds.shape[d]
                    names[d] = phony[size][used[size]]
                    used[size] += 1
            for n, size in zip(names, ds.shape):
                # netCDF: an unlimited dimension is as long as its longest variable.
                dims[n] = max(dims.get(n, 0), size)
        for name, ds, names, raw, is_scale in entries:
            if is_scale and isinstance(raw.get("NAME"), bytes) and raw["NAME"].startswith(_NETCDF_DIM_ONLY):
                continue  # a netCDF dimension with no coordinate variable
            shape = tuple(dims[n] for n in names)
            array = H5digArray(self.path, ds.name, shape, ds.dtype, self._mtime_ns, stored_shape=ds.shape,
                               fill=ds.fillvalue if shape != tuple(ds.shape) else None)
            encoding = {"source": self.path, "original_shape": shape}
            vlen = (ds.dtype.metadata or {}).get("vlen") if ds.dtype.kind == "O" else None
            if vlen is None:
                encoding["dtype"] = ds.dtype
            elif vlen is str:
                encoding["dtype"] = str  # as h5netcdf's: xarray writes it back as a string variable
            if ds.chunks:
                encoding["chunksizes"] = ds.chunks
                encoding["preferred_chunks"] = dict(zip(names, ds.chunks))
            variables[name] = Variable(tuple(names), indexing.LazilyIndexedArray(array), _attrs(raw), encoding)
        return variables, dims

    def get_variables(self):
        return Frozen(self._variables)

    def get_attrs(self):
        return FrozenDict(_attrs(_read_attrs(self._file[self.group].attrs, self.group)))

    def get_dimensions(self):
        return Frozen(self._dimensions)

    def get_encoding(self):
        return {}

    def close(self):
        self._file.close()


class H5digBackendEntrypoint(BackendEntrypoint):
    """xarray backend: ``xr.open_dataset(path, engine="h5dig", group=None)``."""

    description = "HDF5 and netCDF-4 files read by h5dig (parallel decoding, every filter h5dig has, no lock)"
    url = "https://github.com/h5dig/h5dig/blob/main/docs/python.md"
    open_dataset_parameters = ("filename_or_obj", "mask_and_scale", "decode_times", "concat_characters",
                               "decode_coords", "drop_variables", "use_cftime", "decode_timedelta", "group")

    def guess_can_open(self, filename_or_obj):
        try:
            ext = os.path.splitext(os.fspath(filename_or_obj))[1].lower()
        except TypeError:
            return False
        return ext in {".h5", ".hdf5", ".he5", ".nc", ".nc4", ".hdf"}

    def open_dataset(self, filename_or_obj, *, mask_and_scale=True, decode_times=True, concat_characters=True,
                     decode_coords=True, drop_variables=None, use_cftime=None, decode_timedelta=None, group=None):
        store = H5digStore(filename_or_obj, group=group)
        ds = StoreBackendEntrypoint().open_dataset(
            store, mask_and_scale=mask_and_scale, decode_times=decode_times, concat_characters=concat_characters,
            decode_coords=decode_coords, drop_variables=drop_variables, use_cftime=use_cftime,
            decode_timedelta=decode_timedelta)
        return ds
