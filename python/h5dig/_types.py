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
