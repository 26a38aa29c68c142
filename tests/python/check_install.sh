#!/usr/bin/env bash
# ctest Python.Install: `cmake --install BUILD --prefix TMP` into a temporary
# prefix, then the installed h5dig executable and the installed Python package
# (found through PYTHONPATH=TMP/PYDIR only: run from another directory, with no
# build tree on the path): import, a read equal to h5py's, the dist-info's
# version, xarray's engine discovery through the installed entry point, a RECORD
# whose hashes match every installed file, and `pip uninstall` removing them all.
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

# RECORD: every installed file of the package and dist-info, with its hash and size.
import base64, hashlib
from importlib.metadata import distribution
site = Path(h5dig.__file__).resolve().parent.parent
record = {}
for line in (next(site.glob("h5dig-*.dist-info")) / "RECORD").read_text().splitlines():
    name, digest, size = line.rsplit(",", 2)
    record[name] = (digest, size)
on_disk = {p.relative_to(site).as_posix() for top in ["h5dig", next(site.glob("h5dig-*.dist-info")).name]
           for p in (site / top).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
assert set(record) == on_disk, set(record) ^ on_disk
for name, (digest, size) in record.items():
    if name.endswith("/RECORD"):
        assert digest == size == "", (name, digest, size)
        continue
    data = (site / name).read_bytes()
    want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert (digest, size) == (want, str(len(data))), name
assert distribution("h5dig").read_text("INSTALLER").strip() == "cmake"
print("installed h5dig", h5dig.__version__, "at", Path(h5dig.__file__).parent)
PY

# pip knows what was installed, and takes it all away again.
if "$python" -m pip --version >/dev/null 2>&1; then
  env PYTHONPATH="$prefix/$pydir" "$python" -m pip uninstall -y --break-system-packages h5dig >"$prefix/uninstall.log" 2>&1 ||
    { cat "$prefix/uninstall.log"; exit 1; }
  left=$(find "$prefix/$pydir" -type f -not -path "*/__pycache__/*" | head)
  test -z "$left" || { echo "left after pip uninstall:"; echo "$left"; cat "$prefix/uninstall.log"; exit 1; }
  echo "pip uninstall removed every installed file"
fi
