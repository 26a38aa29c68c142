"""The peers' side of scripts/bench_python that Dask workers must import (a class
defined in a `python -c` script's __main__ does not unpickle in a worker)."""
import h5py

_files = {}


class H5pyArray:
    """What Dask gets on the h5py path (as xarray's h5netcdf engine hands it over): a
    picklable handle that opens the file with h5py in the worker, once per process
    (h5py datasets themselves do not pickle). Used with da.from_array(..., lock=True)."""

    def __init__(self, path, name):
        self.path, self.name = path, name
        with h5py.File(path, "r") as f:
            self.shape, self.dtype, self.chunks = f[name].shape, f[name].dtype, f[name].chunks
        self.ndim = len(self.shape)

    def __getitem__(self, key):
        f = _files.get(self.path)
        if f is None:
            f = _files[self.path] = h5py.File(self.path, "r")
        return f[self.name][key]
