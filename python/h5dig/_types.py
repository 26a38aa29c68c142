"""Small value types shared by the C++ core and the Python layer."""
from typing import NamedTuple, Tuple


class Filter(NamedTuple):
    """One filter of a dataset's pipeline, as the file records it.

    ``Dataset.filters`` lists them in pipeline order; ``h5dig.decode`` takes the
    same list (or ``(id, cd_values)`` pairs).
    """

    name: str                 # HDF5's name: "deflate", "shuffle", "bitshuffle", ...
    id: int                   # HDF5 filter id (1 deflate, 2 shuffle, 32008 bitshuffle, ...)
    cd_values: Tuple[int, ...] = ()
    flags: int = 0            # H5Z_FLAG_OPTIONAL (1) when the filter may be skipped per chunk


class Empty:
    """The value of a null dataspace (H5S_NULL): a dtype, no shape, no data; h5py's Empty.

    Not an array of shape (0,): ``ds[()]`` and ``ds.read()`` of a dataset with a null
    dataspace give one, and so does an attribute with one.
    """

    shape = None
    size = None

    def __init__(self, dtype):
        import numpy as np

        self.dtype = np.dtype(dtype)

    def __eq__(self, other):
        return getattr(other, "shape", 0) is None and getattr(other, "dtype", None) == self.dtype \
            and type(other).__name__ == "Empty"

    def __hash__(self):
        return hash(("Empty", self.dtype))

    def __repr__(self):
        return f"Empty(dtype={self.dtype!r})"
