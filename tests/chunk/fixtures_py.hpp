// Private to tests/chunk and tests/format: the h5py script that writes one
// dataset of every chunk-index kind, filtered and unfiltered.
#pragma once

namespace h5dig::test {

// argv: PATH LIBVER(default|latest) USERBLOCK(bytes, 0 for none) [ADDR_BYTES]
// ADDR_BYTES (default 8): width of file addresses and lengths (H5Pset_sizes).
inline constexpr const char* kChunkFixtureScript = R"PY(
import sys, h5py, numpy as np
path, libver, ub = sys.argv[1], sys.argv[2], int(sys.argv[3])
width = int(sys.argv[4]) if len(sys.argv) > 4 else 8
fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
fcpl.set_sizes(width, width)
if ub:
    fcpl.set_userblock(ub)
if libver == 'latest':
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
with h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)) as f:
    a = np.arange(37 * 23, dtype='<i4').reshape(37, 23)
    # fixed-size dims: fixed array (latest) / v1 B-tree (default)
    f.create_dataset('edge', data=a, chunks=(8, 5))
    f.create_dataset('edge_gzip', data=a, chunks=(8, 5), compression='gzip', compression_opts=4, shuffle=True)
    f.create_dataset('fletcher', data=np.arange(64, dtype='<i2'), chunks=(10,), fletcher32=True, compression='gzip')
    # many chunks: a multi-level v1 B-tree; a paged fixed array (1024 entries a page)
    f.create_dataset('many', data=np.arange(3000 * 3, dtype='<u2'), chunks=(3,))
    f.create_dataset('many_gzip', data=np.arange(3000 * 3, dtype='<u2'), chunks=(3,), compression='gzip')
    # never-written chunks
    s = f.create_dataset('sparse', shape=(100, 100), dtype='<f4', chunks=(10, 10))
    s[0:10, 0:10] = 1
    s[55:65, 91:100] = 2
    sg = f.create_dataset('sparse_gzip', shape=(100, 100), dtype='<f4', chunks=(10, 10), compression='gzip')
    sg[20:30, 0:10] = 3
    sg[99, 99] = 4
    f.create_dataset('empty', shape=(50, 50), dtype='<i8', chunks=(10, 10))
    # one unlimited dim: extensible array (latest); chunks past the index block
    # into data blocks and super blocks
    e = f.create_dataset('ext', shape=(0, 6), maxshape=(None, 6), dtype='<i4', chunks=(2, 4))
    e.resize((2 * 700, 6))
    e[...] = np.arange(2 * 700 * 6, dtype='<i4').reshape(-1, 6)
    e2 = f.create_dataset('ext_gzip', shape=(0, 6), maxshape=(6, None), dtype='<i4', chunks=(4, 2), compression='gzip')
    e2.resize((6, 2 * 300))
    e2[:, :] = np.arange(6 * 600, dtype='<i4').reshape(6, 600)
    e2[:, 0:100] = 0
    # several unlimited dims: v2 B-tree (latest)
    b = f.create_dataset('bt2', shape=(45, 33), maxshape=(None, None), dtype='<f8', chunks=(4, 4))
    b[...] = np.arange(45 * 33).reshape(45, 33)
    b2 = f.create_dataset('bt2_gzip', shape=(90, 90), maxshape=(None, None), dtype='<f8', chunks=(3, 3), compression='gzip', shuffle=True)
    b2[...] = np.arange(90 * 90).reshape(90, 90)
    b2[10:20, :] = 0
    # chunk == shape: single chunk index (latest)
    f.create_dataset('single', data=a, chunks=a.shape)
    f.create_dataset('single_gzip', data=a, chunks=a.shape, compression='gzip')
    # early allocation without filters: implicit index (latest)
    space = h5py.h5s.create_simple((30, 40), (60, 40))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((7, 9))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    d = h5py.h5d.create(f.id, b'implicit', h5py.h5t.STD_I32LE, space, dcpl=dcpl)
    f['implicit'][...] = np.arange(30 * 40, dtype='<i4').reshape(30, 40)
    # many attributes: the object header grows continuation blocks
    t = f.create_dataset('attrs', data=a, chunks=(10, 10), compression='gzip')
    for i in range(40):
        t.attrs['attribute_%02d' % i] = np.arange(16, dtype='<f8') * i
)PY";

}  // namespace h5dig::test
