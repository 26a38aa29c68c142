"""Deterministic damage to HDF5 files, as a failing disk or an interrupted copy leaves them.

A mutation is a list of operations, each a tuple that says exactly what changes, so a
damaged file found by the fuzzer is made again, byte for byte, from the same seed:

    ("truncate", SIZE)              keep the first SIZE bytes
    ("flip", OFFSET, BIT)           flip one bit
    ("zero", OFFSET, LENGTH)        zero a block
    ("put", OFFSET, WIDTH, VALUE)   overwrite WIDTH bytes (little-endian) with VALUE: an
                                    address or length pointing elsewhere, past the end,
                                    back into the file (cycles), or undefined (all ones)

mutation(data, rng) draws one (1-3 operations) from a random.Random; apply(data, ops)
applies it. Regression tests call apply() with the operations the fuzzer printed.
"""
import random

# Metadata sits mostly near the start of small files (superblock, root group,
# object headers, B-tree nodes, heaps): half the positions are drawn there.
HEAD = 4096


def apply(data, ops):
    out = bytearray(data)
    for op in ops:
        kind = op[0]
        if kind == "truncate":
            del out[op[1]:]
        elif kind == "flip":
            if op[1] < len(out):
                out[op[1]] ^= 1 << op[2]
        elif kind == "zero":
            end = min(len(out), op[1] + op[2])
            out[op[1]:end] = bytes(max(0, end - op[1]))
        elif kind == "put":
            _, off, width, value = op
            if off + width <= len(out):
                out[off:off + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
        else:
            raise ValueError(f"unknown operation {op!r}")
    return bytes(out)


def _position(rng, size):
    if size <= 1:
        return 0
    if rng.random() < 0.5:
        return rng.randrange(min(size, HEAD))
    return rng.randrange(size)


def _address_value(rng, size):
    choice = rng.randrange(7)
    if choice == 0:
        return (1 << 64) - 1                      # undefined address
    if choice == 1:
        return size + rng.randrange(1, 1 << 16)   # just past the end
    if choice == 2:
        return rng.randrange(1 << 40, 1 << 63)    # absurdly large (lengths too)
    if choice == 3:
        return rng.randrange(0, 96)               # back to the superblock
    if choice == 4:
        return rng.randrange(0, max(1, size))     # anywhere inside: loops and cycles
    if choice == 5:
        return rng.randrange(0, 1 << 16)          # a plausible small length or count
    return 0


def mutation(data, rng):
    """One random mutation of `data` (1 to 3 operations), as a list of operations."""
    size = len(data)
    ops = []
    kinds = ["truncate", "flip", "flip", "zero", "put", "put"]
    for _ in range(rng.choice((1, 1, 2, 3))):
        kind = rng.choice(kinds)
        if kind == "truncate":
            # Every stretch of the file: the superblock, the first objects, the middle, the tail.
            cut = rng.choice((rng.randrange(0, min(size, 512) + 1), rng.randrange(0, size + 1),
                              max(0, size - rng.randrange(1, 64))))
            ops.append(("truncate", cut))
            size = min(size, cut)
        elif kind == "flip":
            for _ in range(rng.choice((1, 1, 2, 4, 8))):
                ops.append(("flip", _position(rng, size), rng.randrange(8)))
        elif kind == "zero":
            ops.append(("zero", _position(rng, size), rng.choice((4, 8, 16, 64, 512))))
        else:
            width = rng.choice((8, 8, 4, 2))
            ops.append(("put", _position(rng, max(1, size - width)), width, _address_value(rng, size)))
    return ops
