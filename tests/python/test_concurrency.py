"""Many Python threads reading at once, from one File and from several."""
import threading

import h5py
import numpy as np

import h5dig

NAMES = ["bslz4", "shuffle_deflate", "blosc_zstd_bitshuffle", "edges", "fill", "contiguous", "compact",
         "scaleoffset"]


def test_eight_threads_same_bytes(files):
    with h5py.File(files["read"], "r") as ref:
        want = {n: ref[n][...].tobytes() for n in NAMES}
    shared = h5dig.File(files["read"])
    datasets = {n: shared[n] for n in NAMES}
    errors, results = [], []
    start = threading.Barrier(8)

    def work(i):
        try:
            start.wait()
            own = h5dig.File(files["read"]) if i % 2 else None  # half on their own File
            for round_ in range(6):
                name = NAMES[(i + round_) % len(NAMES)]
                d = own[name] if own else datasets[name]
                results.append((name, d[...].tobytes()))
        except Exception as e:  # reported below, on the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 48
    for name, got in results:
        assert got == want[name], name
