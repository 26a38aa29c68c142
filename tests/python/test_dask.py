"""h5dig.to_dask on a distributed.LocalCluster with 2 worker processes."""
import pickle

import h5py
import numpy as np

import h5dig


def test_blocks_align_to_stored_chunks(files):
    a = h5dig.to_dask(files["read"], "edges")
    for dim, chunk in zip(a.chunks, (7, 10, 8)):
        assert all(c % chunk == 0 for c in dim[:-1])
    b = h5dig.to_dask(files["read"], "edges", chunks=(7, 10, 8))
    assert b.chunks[0] == (7,) * 7 + (1,)
    assert pickle.loads(pickle.dumps(b)).name == b.name
    with h5py.File(files["read"], "r") as ref:
        assert np.array_equal(b.compute(scheduler="threads"), ref["edges"][...])
        assert np.array_equal(h5dig.to_dask(files["read"], "scalar").compute(), ref["scalar"][()])


def test_local_cluster_reduction_equals_numpy(files):
    from distributed import Client, LocalCluster

    with h5py.File(files["read"], "r") as ref:
        want_sum = ref["bslz4"][...].astype("u8").sum()
        want_max = ref["shuffle_deflate"][...].max(axis=0)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        a = h5dig.to_dask(files["read"], "bslz4", chunks=(2, 64, 70))
        assert int(a.astype("u8").sum().compute()) == want_sum
        b = h5dig.to_dask(files["read"], "shuffle_deflate")
        assert np.array_equal(b.max(axis=0).compute(), want_max)
