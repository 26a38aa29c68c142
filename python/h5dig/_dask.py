"""h5dig.to_dask: a dask.array whose blocks h5dig reads, for a Dask cluster.

The graph holds only the file's path, the dataset's name and each block's
slices: every task opens the file by path in its worker (one open File per
worker process, kept) and reads its block through h5dig, with no lock. Blocks
are whole multiples of the stored chunks by default, so no chunk is decoded
twice and a worker holds one block (plus ParallelReader's ~2 chunks per thread)
per running task.
"""
import itertools
import os
import threading

_open_files = {}
_open_lock = threading.Lock()


def _dataset(path, name, mtime_ns):
    """This process's open h5dig Dataset for (path, name), reopened if the file changed."""
    from . import File

    key = (path, name)
    with _open_lock:
        entry = _open_files.get(key)
        if entry is None or entry[0] != mtime_ns:
            entry = (mtime_ns, File(path)[name])
            _open_files[key] = entry
        return entry[1]


def _read_block(path, name, mtime_ns, slices):
    import numpy as np

    return np.asarray(_dataset(path, name, mtime_ns)[slices])


def to_dask(path, dataset, chunks=None):
    """A dask.array of `dataset` in the HDF5 file at `path`.

    chunks: None (default) aligns blocks to the stored chunks (whole multiples of
    them, about dask's ``array.chunk-size`` each; the stored chunks themselves for
    variable-length data, whose size dask cannot estimate); anything dask's
    ``normalize_chunks`` takes otherwise. The array pickles: tasks carry the
    absolute path, so workers on other nodes need the file at the same path
    (a shared filesystem)."""
    import dask.array as da
    from dask.array.core import normalize_chunks
    from dask.base import tokenize

    from . import File

    path = os.path.abspath(os.fspath(path))
    with File(path) as f:
        ds = f[dataset]
        name, shape, dtype, stored = ds.name, ds.shape, ds.dtype, ds.chunks
    mtime_ns = os.stat(path).st_mtime_ns
    if chunks is None:
        # dask cannot size object elements (variable-length data): the stored chunks, or one block.
        chunks = (stored or shape) if dtype.kind == "O" else "auto"
    chunks = normalize_chunks(chunks, shape, dtype=dtype, previous_chunks=stored)
    token = "h5dig-" + tokenize(path, name, chunks, mtime_ns)
    starts = [list(itertools.accumulate((0,) + c[:-1])) for c in chunks]
    graph = {}
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        slices = tuple(slice(starts[d][i], starts[d][i] + chunks[d][i]) for d, i in enumerate(index))
        graph[(token,) + index] = (_read_block, path, name, mtime_ns, slices)
    return da.Array(graph, token, chunks, dtype=dtype)
