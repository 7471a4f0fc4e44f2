#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Send commands to a QEMU human monitor on a unix socket; print replies.

Usage: monitor.py SOCKET 'xp /1gx 0x50100000' ['quit' ...]
"""
import socket
import sys
import time


def read_until_prompt(s):
    data = b""
    deadline = time.time() + 10
    # The prompt may be followed by terminal escape sequences.
    while b"(qemu)" not in data and time.time() < deadline:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(sys.argv[1])
            break
        except OSError:
            time.sleep(0.1)
    s.settimeout(1)
    read_until_prompt(s)
    for cmd in sys.argv[2:]:
        s.sendall(cmd.encode() + b"\n")
        if cmd == "quit":
            # Wait for QEMU to close the socket: it has then acted on it.
            s.settimeout(10)
            try:
                while s.recv(4096):
                    pass
            except OSError:
                pass
            break
        out = read_until_prompt(s)
        for line in out.splitlines():
            if line.startswith("0000") or line.startswith("ffff") or ":" in line and "qemu" not in line:
                print(line.strip())


if __name__ == "__main__":
    main()
