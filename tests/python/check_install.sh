#!/usr/bin/env bash
# ctest Python.Install: `cmake --install BUILD --prefix TMP` into a temporary
# prefix, then the installed h5dig executable and the installed Python package
# (found through PYTHONPATH=TMP/PYDIR only: run from another directory, with no
# build tree on the path): import, a read equal to h5py's, the dist-info's
# version, and xarray's engine discovery through the installed entry point.
#   check_install.sh BUILD_DIR PYDIR(relative to the prefix) PYTHON
set -euo pipefail
build=$1 pydir=$2 python=${3:-/usr/bin/python3}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/h5dig-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >"$prefix/install.log" || { cat "$prefix/install.log"; exit 1; }

test -x "$prefix/bin/h5dig" || { echo "no $prefix/bin/h5dig"; exit 1; }
"$prefix/bin/h5dig" --version
for f in __init__.py _dask.py _types.py xarray_backend.py; do
  test -f "$prefix/$pydir/h5dig/$f" || { echo "not installed: $pydir/h5dig/$f"; exit 1; }
done
ls "$prefix/$pydir/h5dig/"_h5dig*.so >/dev/null
ls -d "$prefix/$pydir/"h5dig-*.dist-info >/dev/null

cd "$prefix"
env -u H5DIG_PYTHON_DIR PYTHONPATH="$prefix/$pydir" PYTHONDONTWRITEBYTECODE=1 "$python" - "$prefix" <<'PY'
import sys
from importlib.metadata import entry_points, version
from pathlib import Path

prefix = Path(sys.argv[1]).resolve()
import h5dig
import h5py
import numpy as np
import xarray as xr

assert Path(h5dig.__file__).resolve().is_relative_to(prefix), h5dig.__file__
assert Path(h5dig._h5dig.__file__).resolve().is_relative_to(prefix), h5dig._h5dig.__file__
assert version("h5dig") == h5dig.__version__, (version("h5dig"), h5dig.__version__)
eps = [e for e in entry_points(group="xarray.backends") if e.name == "h5dig"]
assert eps and Path(eps[0].dist._path).resolve().is_relative_to(prefix), eps
assert "h5dig" in xr.backends.list_engines(), sorted(xr.backends.list_engines())

path = prefix / "t.h5"
data = np.arange(6000, dtype="<u2").reshape(60, 100)
with h5py.File(path, "w") as f:
    f.create_dataset("d", data=data, chunks=(7, 100), compression="gzip", shuffle=True)
    f.create_dataset("s", data=["a", "héllo"], dtype=h5py.string_dtype())
with h5dig.File(path) as f:
    assert np.array_equal(f["d"][5:50:3], data[5:50:3])
    assert f["s"][...].tolist() == [b"a", "héllo".encode()]
with xr.open_dataset(path, engine="h5dig") as ds:
    assert np.array_equal(ds["d"].values, data)
print("installed h5dig", h5dig.__version__, "at", Path(h5dig.__file__).parent)
PY
