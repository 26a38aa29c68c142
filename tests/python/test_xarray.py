"""The xarray backend (entry point `h5dig`) against h5netcdf's reading."""
import numpy as np
import xarray as xr

import h5dig  # noqa: F401  (the entry point finds the package on the same path)


def test_engine_resolves_through_the_entry_point():
    from importlib.metadata import entry_points

    names = [e.name for e in entry_points(group="xarray.backends")]
    assert "h5dig" in names
    assert type(xr.backends.list_engines()["h5dig"]).__name__ == "H5digBackendEntrypoint"


def test_netcdf_equals_h5netcdf(files):
    with xr.open_dataset(files["netcdf"], engine="h5dig") as a, \
            xr.open_dataset(files["netcdf"], engine="h5netcdf") as b:
        assert set(a.variables) == set(b.variables)
        assert dict(a.dims) == dict(b.dims)
        for name in a.variables:
            assert a[name].dims == b[name].dims, name
        a.load()
        b.load()
        xr.testing.assert_identical(a, b)
        assert np.isnan(a["temp"].values[0, 0, :5]).all()  # _FillValue masked by xarray's CF decoding
        assert a["time"].dtype.kind == "M"
        assert a["temp"].encoding["chunksizes"] == (1, 20, 30)


def test_group_and_lazy_slices(files):
    with xr.open_dataset(files["netcdf"], engine="h5dig", group="sub") as a, \
            xr.open_dataset(files["netcdf"], engine="h5netcdf", group="sub") as b:
        xr.testing.assert_identical(a.load(), b.load())
    with xr.open_dataset(files["netcdf"], engine="h5dig") as a, \
            xr.open_dataset(files["netcdf"], engine="h5netcdf") as b:
        assert np.array_equal(a["temp"][2:4, ::3, 5].values, b["temp"][2:4, ::3, 5].values, equal_nan=True)


def test_plain_hdf5_gets_phony_dims(files):
    with xr.open_dataset(files["read"], engine="h5dig", group="group/inner") as a:
        assert a["nested"].dims == ("phony_dim_0", "phony_dim_1")
        assert a.attrs["title"] == "nested group"
        import h5py
        with h5py.File(files["read"], "r") as ref:
            assert np.array_equal(a["nested"].values, ref["group/inner/nested"][...])


def test_dask_chunks_align_to_stored(files):
    with xr.open_dataset(files["netcdf"], engine="h5dig", chunks={}) as a:
        assert a["temp"].chunks == ((1,) * 6, (20,), (30,))
        with xr.open_dataset(files["netcdf"], engine="h5netcdf") as b:
            assert float(a["temp"].sum().compute()) == float(b["temp"].sum())


def _identical(a, b):
    """xr.testing.assert_identical, with object variables of arrays (vlen sequences)
    compared element by element (xarray's own comparison cannot)."""
    ragged = [n for n in b.variables if b[n].dtype.kind == "O" and any(isinstance(x, np.ndarray)
                                                                        for x in b[n].values.ravel())]
    for n in ragged:
        assert a[n].dims == b[n].dims and a[n].attrs == b[n].attrs, n
        assert all(x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a[n].values.ravel(), b[n].values.ravel())), n
    xr.testing.assert_identical(a.drop_vars(ragged), b.drop_vars(ragged))


def test_foreign_netcdf_files_equal_netcdf4s_reading(tmp_path):
    """Every group of the netCDF-4 files of the foreign corpus (ncgen, netCDF4-python)
    opens as netCDF4-python's engine opens it: variables, dims (an unlimited dimension
    as long as its longest variable, shorter variables padded with their fill value),
    attributes, values after CF decoding."""
    import sys
    import warnings
    from pathlib import Path

    import netCDF4

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interop" / "foreign"))
    import make_corpus

    compared = 0
    for path in make_corpus.make_corpus(tmp_path, ["ncgen", "netcdf4"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # netCDF4-python on the user types it skips
            with netCDF4.Dataset(path) as nc:
                groups = [None]
                todo = [("", nc)]
                while todo:
                    prefix, g = todo.pop()
                    for name, sub in g.groups.items():
                        groups.append(f"{prefix}/{name}")
                        todo.append((f"{prefix}/{name}", sub))
            for group in groups:
                try:
                    want = xr.open_dataset(path, engine="netcdf4", group=group).load()
                except Exception:
                    continue  # netCDF4-python refuses it (opaque attributes, user types)
                with xr.open_dataset(path, engine="h5dig", group=group) as got:
                    _identical(got.load(), want)
                compared += 1
    assert compared >= 10


def test_unlimited_dimension_pads_shorter_variables(tmp_path):
    """netCDF's unlimited dimension is as long as its longest variable; a variable that
    was never written along it reads as its fill value there, lazily sliced too."""
    import netCDF4

    path = tmp_path / "grow.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", None)
        nc.createDimension("x", 3)
        nc.createVariable("t2m", "f4", ("time", "x"))[0:6] = np.arange(18, dtype="f4").reshape(6, 3)
        nc.createVariable("short", "i4", ("time", "x"), fill_value=-7)[0:2] = np.ones((2, 3), "i4")
        nc.createVariable("never", "i2", ("time",))
    with xr.open_dataset(path, engine="h5dig", mask_and_scale=False) as a, \
            xr.open_dataset(path, engine="netcdf4", mask_and_scale=False) as b:
        assert a.dims["time"] == 6
        for key in [np.s_[:], np.s_[1:5], np.s_[::2], np.s_[4], np.s_[1], np.s_[5:1:-2], np.s_[-1]]:
            for name in ["short", "never", "t2m"]:
                assert np.array_equal(a[name][key].values, b[name][key].values), (name, key)
                assert a[name][key].dtype == b[name][key].dtype
        assert a["short"].values[3].tolist() == [-7, -7, -7]
