#!/usr/bin/env python3
"""Splits the kernel catalogue into the files the playground fetches: the preamble and head
(`OUT/debian.head.bin`), and one file per segment named by its byte offset in the archive
(`OUT/s/<version>/<offset>.bin`, `<version>` the first 16 hex digits of the head file's
sha256, so a re-packed archive never meets stale segments in a cache), so that any static
server (python's http.server has no Range requests) serves one build as a few small files.
The archive stays the one committed file; this runs at `make dist` time
(scripts/build-web.sh).

    scripts/catalog/split.py catalog/debian.btfcat dist/catalog

Segments are zstd frames laid end to end after the head (core/src/catalog/archive.rs), so
they are found by walking the frames' block headers, without decompressing anything and
without reading the head: the page checks each file's length against the head's segment
table, and every rebuilt BTF against its sha256.
"""
import hashlib
import os
import struct
import sys

PREAMBLE_LEN = 64
MAGIC = b"CLBTFCAT"
ZSTD_MAGIC = 0xFD2FB528


def frame_len(data, at):
    """Length of the zstd frame at `at` (RFC 8878 section 3.1.1), from its headers alone."""
    if struct.unpack_from("<I", data, at)[0] != ZSTD_MAGIC:
        raise ValueError(f"offset {at:#x}: not a zstd frame")
    p = at + 4
    fhd = data[p]
    p += 1
    single = (fhd >> 5) & 1
    if not single:
        p += 1  # window descriptor
    p += (0, 1, 2, 4)[fhd & 3]  # dictionary id
    fcs = (fhd >> 6) & 3
    p += (1 if single else 0, 2, 4, 8)[fcs]
    while True:
        if p + 3 > len(data):
            raise ValueError(f"offset {at:#x}: frame runs past the end of the file")
        header = data[p] | data[p + 1] << 8 | data[p + 2] << 16
        last, kind, size = header & 1, (header >> 1) & 3, header >> 3
        p += 3
        if kind == 3:
            raise ValueError(f"offset {p - 3:#x}: reserved zstd block type")
        p += 1 if kind == 1 else size
        if last:
            break
    if (fhd >> 2) & 1:
        p += 4  # content checksum
    if p > len(data):
        raise ValueError(f"offset {at:#x}: frame runs past the end of the file")
    return p - at


def split(archive, out):
    data = open(archive, "rb").read()
    if data[:8] != MAGIC:
        raise ValueError(f"{archive}: not a corelab kernel catalogue")
    head_len = struct.unpack_from("<I", data, 12)[0]
    file_len = struct.unpack_from("<Q", data, 56)[0]
    if file_len != len(data):
        raise ValueError(f"{archive}: {len(data)} bytes, its preamble says {file_len}")
    head_end = PREAMBLE_LEN + head_len
    head = data[:head_end]
    version = hashlib.sha256(head).hexdigest()[:16]
    seg_dir = os.path.join(out, "s", version)
    os.makedirs(seg_dir, exist_ok=True)
    with open(os.path.join(out, "debian.head.bin"), "wb") as f:
        f.write(head)
    at = head_end
    while at < len(data) and data[at] == 0:  # the head's reservation is zero-padded
        at += 1
    count = 0
    while at < len(data):
        n = frame_len(data, at)
        with open(os.path.join(seg_dir, f"{at}.bin"), "wb") as f:
            f.write(data[at:at + n])
        at += n
        count += 1
    print(f"{archive}: head {head_end} bytes, {count} segments -> {seg_dir}/")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        split(sys.argv[1], sys.argv[2])
    except (OSError, ValueError, struct.error, IndexError) as e:
        sys.exit(f"split.py: {e}")
