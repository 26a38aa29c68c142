"""Cases of the foreign walk (test_foreign.py) that fail today, each with the defect
that makes it fail. docs/foreign-files.md describes every defect: the command, what
h5ls / h5py give and what h5dig gives, and the root cause in h5dig's code.

STRICT: a listed case that passes fails the test ("remove it"), and a failing case
that is not listed fails it too, so this table only shrinks. The goal is an empty
table. Keys: (file relative to the corpus directory, object path -- "/" for the
whole file --, check); test_foreign.py's docstring names the checks.

To see what a change fixed: run the walk (ctest -R Interop.ForeignCorpus, or
H5DIG=build/h5dig python3 -m pytest -q -p no:cacheprovider tests/interop/foreign);
cases that now pass are listed as "PASSES (remove from EXPECTED_FAILURES ...)".
"""

# Defect numbers 1-6 are issue 12's; 7 and up were found by the walk. All fixed:
# docs/foreign-files.md says how; each has a focused test besides this walk.
DEFECTS = {
    1: "ls -d: values read at the memory type's element size but walked at the file type's "
       "(fixed: buffers and strides at the memory type's size; tests/inspect/values_test.cpp)",
    2: "ls -d: a dataset or attribute of HDF5's time class aborts the whole listing "
       "(fixed: no values, as h5ls, and the listing goes on)",
    3: "read: arrays of variable-length strings taken for fixed-size data "
       "(fixed: the whole type tree is searched for variable-length data)",
    4: "read refuses variable-length strings and sequences "
       "(fixed: values in bounded H5Dread batches to .json, - or .npy '<U')",
    5: "read -o npy: dtypes other than h5py's "
       "(fixed: h5/numpy_dtype.hpp maps every class as h5py does)",
    6: "no codec for LZO (305, PyTables) (fixed: h5dig decodes LZO)",
    7: "ls -d: a dataset HDF5 cannot read aborts the whole listing "
       "(fixed: 'Unable to print data.' as h5ls, and the listing goes on)",
    8: "read -o npy: space-padded fixed strings keep their padding "
       "(fixed: NULs for the padding, as h5py reads them)",
}

EXPECTED_FAILURES = {
}
