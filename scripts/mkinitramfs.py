#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a newc (SVR4 "070701") cpio archive for a Linux initramfs.

usage: mkinitramfs.py OUT.cpio DEST=SOURCE[:MODE] ...

Each DEST (a path inside the archive, no leading slash) gets SOURCE's
bytes with octal MODE (default 0755 for executables, else 0644). Parent
directories are added as needed, and /dev/console (char 5:1), which the
kernel opens for init's stdin/stdout before any file system is mounted.
Written here because a new machine has no cpio; owners are root and
times 0, so the archive is the same bytes on every build.
"""
import os
import sys


def entry(out, ino, name, mode, data=b"", rdev=(0, 0)):
    nb = name.encode() + b"\0"
    hdr = "070701" + "".join(
        "%08X" % v
        for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0)
    )
    out += hdr.encode() + nb
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    files = []
    for spec in argv[2:]:
        dest, _, src = spec.partition("=")
        src, _, mode = src.partition(":")
        with open(src, "rb") as f:
            data = f.read()
        if mode:
            perm = int(mode, 8)
        else:
            perm = 0o755 if os.access(src, os.X_OK) else 0o644
        files.append((dest.strip("/"), perm, data))
    dirs = {"dev"}
    for dest, _, _ in files:
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    out = bytearray()
    ino = 1
    for d in sorted(dirs):
        entry(out, ino, d, 0o040755)
        ino += 1
    entry(out, ino, "dev/console", 0o020600, rdev=(5, 1))
    ino += 1
    for dest, perm, data in files:
        entry(out, ino, dest, 0o100000 | perm, data)
        ino += 1
    entry(out, ino, "TRAILER!!!", 0)
    out += b"\0" * (-len(out) % 512)
    with open(argv[1], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv)
