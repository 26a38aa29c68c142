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
