#!/usr/bin/env python3
"""The reference for `h5dig serve`: the real h5grove (Tornado handlers, h5py) behind
h5dig serve's command line, with h5dig's additions (the file list, the viewer).

    H5GROVE_SRC=/tmp/h5grove/src /usr/bin/python3 tests/serve/h5grove_reference.py \
        [--port P] [--bind ADDR] [--web-root DIR] [--max-selection SIZE] FILE|DIR...

H5GROVE_SRC is the src/ folder of a checkout of github:silx-kit/h5grove (4.0.0); the
project never copies h5grove's code. Debian 12 has no python3-orjson: when orjson is
missing a stand-in built on json with orjson's output rules (compact, NaN/Inf -> null,
float32 in shortest float32 form, numpy arrays as nested lists) is used; tifffile and
typing_extensions are optional the same way (format=tiff then fails).

What this adds to h5grove, as docs/serve-api.md specifies for h5dig:
  - files are named like h5dig names them (one directory: relative to it; otherwise
    each argument by its base name) through a private directory of symlinks;
  - GET /files lists the served HDF5 files; / and /assets/ serve the viewer bundle;
  - endpoints answer with and without a trailing slash (/meta and /meta/);
  - start-up prints the URL; Ctrl-C (SIGINT) and SIGTERM stop it with exit status 0.
h5grove itself is unchanged: its status codes, bodies and lack of path checks are what
the API tests compare h5dig with (tests marked h5dig_only expect h5dig's behaviour).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import tempfile
import types

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")  # as h5grove's examples do


def install_orjson_stand_in() -> None:
    try:
        import orjson  # noqa: F401
        return
    except ImportError:
        pass
    import numpy as np

    def plain(o, default):
        # orjson's OPT_SERIALIZE_NUMPY rules: numeric arrays and numpy scalars are
        # native; everything else goes through `default` (h5grove's orjson_default).
        if isinstance(o, dict):
            return {str(k): plain(v, default) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [plain(v, default) for v in o]
        if isinstance(o, bool) or o is None or isinstance(o, str):
            return o
        if isinstance(o, (int,)) and not isinstance(o, np.generic):
            return o
        if isinstance(o, float) and not isinstance(o, np.generic):
            return o if math.isfinite(o) else None
        if isinstance(o, np.ndarray) and o.dtype.kind in "biuf" and o.dtype.itemsize <= 8:
            return plain([plain(v, default) for v in o] if o.ndim else o[()], default)
        if isinstance(o, np.generic) and o.dtype.kind in "biuf" and o.dtype.itemsize <= 8:
            if o.dtype.kind == "f":
                v = float(o) if o.dtype.itemsize == 8 else float(str(np.float32(o)))
                return v if math.isfinite(v) else None
            return o.item()
        return plain(default(o), default)

    def dumps(content, default=None, option=None):
        return json.dumps(plain(content, default), separators=(",", ":"),
                          allow_nan=False, ensure_ascii=False).encode()

    module = types.ModuleType("orjson")
    module.dumps = dumps
    module.OPT_SERIALIZE_NUMPY = 1
    sys.modules["orjson"] = module


def install_optional_stand_ins() -> None:
    try:
        import typing_extensions  # noqa: F401
    except ImportError:
        import typing
        sys.modules["typing_extensions"] = typing
    try:
        import tifffile  # noqa: F401
    except ImportError:
        module = types.ModuleType("tifffile")

        def imwrite(*args, **kwargs):
            raise RuntimeError("tifffile is not installed (python3-tifffile)")
        module.imwrite = imwrite
        sys.modules["tifffile"] = module


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAX_LISTED_FILES = 10000


def is_hdf5(path: str) -> bool:
    """The signature at 0, 512, 1024, 2048... (a user block moves it), as H5Fis_hdf5."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            offset = 0
            while offset + 8 <= size:
                f.seek(offset)
                if f.read(8) == HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else offset * 2
    except OSError:
        return False
    return False


def served_roots(args: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """(base_dir for h5grove, [(name prefix, real root)]) following h5dig's naming."""
    paths = [os.path.realpath(a) for a in args]
    for a, p in zip(args, paths):
        if not os.path.exists(p):
            sys.exit(f"h5grove_reference: {a}: no such file or directory")
    if len(paths) == 1 and os.path.isdir(paths[0]):
        return paths[0], [("", paths[0])]
    base = tempfile.mkdtemp(prefix="h5grove-reference-")
    roots = []
    for p in paths:
        name = os.path.basename(p.rstrip("/"))
        if os.path.lexists(os.path.join(base, name)):
            sys.exit(f"h5grove_reference: two arguments are named {name}")
        os.symlink(p, os.path.join(base, name))
        roots.append((name, p))
    return base, roots


def list_files(roots: list[tuple[str, str]]) -> dict:
    files: list[dict] = []
    for prefix, root in roots:
        if os.path.isfile(root):
            if is_hdf5(root):
                files.append({"name": prefix, "size": os.path.getsize(root)})
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                real = os.path.realpath(full)
                if name.startswith(".") or os.path.commonpath([real, root]) != root:
                    continue
                if os.path.isfile(real) and is_hdf5(real):
                    rel = os.path.relpath(full, root)
                    files.append({"name": os.path.join(prefix, rel) if prefix else rel,
                                  "size": os.path.getsize(real)})
    files.sort(key=lambda f: f["name"])
    return {"files": files[:MAX_LISTED_FILES], "truncated": len(files) > MAX_LISTED_FILES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--web-root", default=None)
    parser.add_argument("--max-selection", default=None,
                        help="accepted for h5dig's command line; h5grove has no bound")
    parser.add_argument("-t", "--threads", type=int, default=None, help="ignored")
    parser.add_argument("paths", nargs="+", metavar="FILE|DIR")
    options = parser.parse_args()

    src = os.environ.get("H5GROVE_SRC")
    if not src or not os.path.isdir(os.path.join(src, "h5grove")):
        sys.exit("h5grove_reference: set H5GROVE_SRC to the src/ folder of an h5grove checkout")
    sys.path.insert(0, src)
    install_orjson_stand_in()
    install_optional_stand_ins()

    import tornado.ioloop
    import tornado.web
    from h5grove.tornado_utils import get_handlers

    base_dir, roots = served_roots(options.paths)

    class FilesHandler(tornado.web.RequestHandler):
        def get(self):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(list_files(roots), separators=(",", ":")))

    handlers = [(pattern + "/?", handler, init)
                for pattern, handler, init in get_handlers(base_dir) if pattern != "/"]
    handlers.append((r"/files/?", FilesHandler))
    if options.web_root:
        web_root = os.path.abspath(options.web_root)
        handlers.append((r"/()", tornado.web.StaticFileHandler,
                         {"path": web_root, "default_filename": "index.html"}))
        handlers.append((r"/(assets/.*)", tornado.web.StaticFileHandler, {"path": web_root}))

    app = tornado.web.Application(handlers)
    server = app.listen(options.port, options.bind)
    port = next(iter(server._sockets.values())).getsockname()[1]
    print(f"h5grove reference: {len(options.paths)} path(s) at http://{options.bind}:{port}/ "
          f"(Ctrl-C stops)", flush=True)

    loop = tornado.ioloop.IOLoop.current()

    def stop(*_):
        loop.add_callback_from_signal(loop.stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    loop.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
