"""What the API must answer, computed from h5py's view of the fixtures: entity
metadata, type descriptions, JSON values, `dtype=safe` arrays and statistics, by the
rules of docs/serve-api.md (h5grove 4.0.0's rules, written down independently)."""
from __future__ import annotations

import math

import h5py
import numpy as np


def numpy_dtype_str(dtype: np.dtype):
    """h5grove's `dtype` field: numpy's dtype.str, or {field: str} for a compound."""
    if dtype.fields is None:
        return dtype.str
    return {name: numpy_dtype_str(field[0]) for name, field in dtype.fields.items()}


def type_metadata(tid) -> dict:
    meta = {"class": tid.get_class(), "dtype": numpy_dtype_str(tid.dtype), "size": tid.get_size()}
    if isinstance(tid, h5py.h5t.TypeIntegerID):
        return {**meta, "order": tid.get_order(), "sign": tid.get_sign()}
    if isinstance(tid, (h5py.h5t.TypeFloatID, h5py.h5t.TypeBitfieldID)):
        return {**meta, "order": tid.get_order()}
    if isinstance(tid, h5py.h5t.TypeStringID):
        return {**meta, "cset": tid.get_cset(), "strpad": tid.get_strpad(),
                "vlen": tid.is_variable_str()}
    if isinstance(tid, h5py.h5t.TypeOpaqueID):
        return {**meta, "tag": tid.get_tag().decode()}
    if isinstance(tid, h5py.h5t.TypeCompoundID):
        return {**meta, "members": [{"name": tid.get_member_name(i).decode(),
                                     **type_metadata(tid.get_member_type(i))}
                                    for i in range(tid.get_nmembers())]}
    if isinstance(tid, h5py.h5t.TypeEnumID):
        return {**meta, "members": {tid.get_member_name(i).decode(): tid.get_member_value(i)
                                    for i in range(tid.get_nmembers())},
                "base": type_metadata(tid.get_super())}
    if isinstance(tid, h5py.h5t.TypeVlenID):
        return {**meta, "base": type_metadata(tid.get_super())}
    if isinstance(tid, h5py.h5t.TypeArrayID):
        return {**meta, "dims": list(tid.get_array_dims()), "base": type_metadata(tid.get_super())}
    return meta


def shape_of(shape):
    return None if shape is None else list(shape)


def attributes_metadata(obj) -> list[dict]:
    out = []
    for name in sorted(obj.attrs.keys()):
        aid = obj.attrs.get_id(name)
        out.append({"name": name, "shape": shape_of(aid.shape), "type": type_metadata(aid.get_type())})
    return out


def filters_of(dset):
    plist = dset.id.get_create_plist()
    n = plist.get_nfilters()
    if n <= 0:
        return None
    return [{"id": plist.get_filter(i)[0], "name": plist.get_filter(i)[3].decode()} for i in range(n)]


def dataset_metadata(dset, name: str) -> dict:
    return {"attributes": attributes_metadata(dset), "chunks": shape_of(dset.chunks),
            "filters": filters_of(dset), "kind": "dataset", "name": name,
            "shape": shape_of(dset.shape), "type": type_metadata(dset.id.get_type())}


def json_value(value):
    """A value read by h5py as h5grove's JSON encoder writes it: nested lists, strings
    decoded from UTF-8, complex as [re, im], compound as [field, ...], NaN/Inf as null,
    h5py.Empty as null."""
    if isinstance(value, h5py.Empty):
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.names and value.ndim == 0:
            return [json_value(value[n]) for n in value.dtype.names]
        return [json_value(v) for v in value] if value.ndim else json_value(value[()])
    if isinstance(value, np.void) and value.dtype.names:
        return [json_value(value[n]) for n in value.dtype.names]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode()
    if isinstance(value, (complex, np.complexfloating)):
        return [json_value(value.real), json_value(value.imag)]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, str):
        return value
    raise TypeError(f"no JSON rule for {type(value)}")


def assert_json_equal(got, expected, float_type=np.float64, where="value"):
    """Equal as JSON values; numbers compared after rounding both to the dataset's
    float type, so that 0.1 (shortest float32 form) equals 0.10000000149011612."""
    if isinstance(expected, list):
        assert isinstance(got, list), f"{where}: {got!r} is not a list"
        assert len(got) == len(expected), f"{where}: {len(got)} items, expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_json_equal(g, e, float_type, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), f"{where}: {got!r} != {expected!r}"
        for k in expected:
            assert_json_equal(got[k], expected[k], float_type, f"{where}.{k}")
    elif isinstance(expected, float):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{where}: {got!r}"
        assert float_type(got) == float_type(expected), f"{where}: {got!r} != {expected!r}"
    else:
        assert got == expected and type(got) is type(expected), f"{where}: {got!r} != {expected!r}"


def float_type_of(dtype: np.dtype):
    """The float type JSON numbers of this dtype round-trip through."""
    kinds = [dtype] if dtype.fields is None else [f[0] for f in dtype.fields.values()]
    sizes = [d.itemsize // (2 if d.kind == "c" else 1) for d in kinds if d.kind in "fc"]
    return {2: np.float16, 4: np.float32}.get(min(sizes), np.float64) if sizes else np.float64


def safe_dtype(dtype: np.dtype) -> np.dtype:
    """`dtype=safe`: float16 -> float32, float128 -> float64, big-endian -> little."""
    if dtype.kind == "f" and dtype.itemsize < 4:
        return np.dtype("<f4")
    if dtype.kind == "f" and dtype.itemsize > 8:
        return np.dtype("<f8")
    if dtype.byteorder in ("=", ">"):
        return dtype.newbyteorder("<")
    return dtype


def stats(data: np.ndarray) -> dict:
    """/stats: on finite values only; ints stay ints (mean and std truncated)."""
    data = np.asarray(data)
    if np.issubdtype(data.dtype, np.floating):
        data = data[np.isfinite(data)]
    if data.size == 0:
        return dict.fromkeys(["strict_positive_min", "positive_min", "min", "max", "mean", "std"])
    cast = float if np.issubdtype(data.dtype, np.floating) else int
    wide = data.astype(np.float64)
    pos, spos = data[data >= 0], data[data > 0]
    return {"strict_positive_min": cast(spos.min()) if spos.size else None,
            "positive_min": cast(pos.min()) if pos.size else None,
            "min": cast(data.min()), "max": cast(data.max()),
            "mean": cast(wide.mean()), "std": cast(wide.std())}


def link_paths(h5file, base: str = "/") -> list[str]:
    """/paths: the group, then every link below it, pre-order by name (H5Lvisit)."""
    names = [base]

    def visit(name: bytes):
        names.append(("" if base == "/" else base.rstrip("/")) + "/" + name.decode())
    group = h5file[base]
    group.id.links.visit(visit)
    return names
