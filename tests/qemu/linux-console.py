#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Type into both Linux domains of `make run` through a pseudo-terminal.

tests/qemu/demo-linux.sh (what `make run` runs) gets a pseudo-terminal as
its console, as a person at a terminal gives it. Right after domU2's
shell has started (domU2 has finished booting), a command is typed to
domU1, which has the input first; then Ctrl-A x3 moves the input to
domU2, a command is typed there; `poweroff` in domU2; Ctrl-A x3 (input
had moved on to the hypervisor by itself) back to domU1; `poweroff` in
domU1; the machine powers off. Each command must be echoed on its
domain's lines and its output come back from that domain. Busybox asks
the terminal for the cursor position after every prompt (ESC [ 6 n): it
must reach the terminal as that sequence from the domain being typed to,
and never show up as ".[6n".

Usage: linux-console.py LOG   (BUILD in the environment, as for the
other tests). Prints ok/FAIL lines; exits 1 if any check failed.
"""
import os
import pty
import re
import select
import signal
import sys
import time

CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")


class Console:
    def __init__(self, log_path):
        self.buf = b""
        self.log = open(log_path, "wb")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp("sh", ["sh", "tests/qemu/demo-linux.sh"])
        self.status = None

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the other side closed: QEMU exited
            data = b""
        if not data:
            self.reap(30)
            return
        self.buf += data
        self.log.write(data)
        self.log.flush()

    def reap(self, timeout):
        end = time.time() + timeout
        while self.status is None and time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
            else:
                time.sleep(0.1)

    def expect(self, pattern, timeout, start=0):
        """Wait for regex @pattern in the output from @start; its match or None."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while True:
            m = rx.search(self.buf, start)
            if m:
                return m
            if time.time() > end or self.status is not None:
                return None
            self.pump(0.2)

    def type(self, text):
        """Type @text, a key at a time, as a person (or a paste) would."""
        for ch in text.encode():
            os.write(self.fd, bytes([ch]))
            time.sleep(0.02)

    def lines_of(self, name, start):
        """The text @name printed after @start: its line pieces joined, escape sequences removed."""
        out = b""
        for line in self.buf[start:].replace(b"\r", b"").split(b"\n"):
            if line.startswith(b"(" + name + b") "):
                out += CSI.sub(b"", line[len(name) + 3:])
        return out

    def kill(self):
        if self.status is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.reap(10)


fails = 0


def check(cond, what):
    global fails
    print(("ok " if cond else "FAIL ") + what)
    sys.stdout.flush()
    if not cond:
        fails += 1


def main():
    con = Console(sys.argv[1])
    try:
        run(con)
    finally:
        con.kill()
        con.log.close()
    return 1 if fails else 0


def run(con):
    m1 = con.expect(rb"\(domU1\) init: shell", 600)
    m2 = con.expect(rb"\(domU2\) init: shell", 600)
    check(m1 is not None and m2 is not None, "linux console: both shells start")
    if not (m1 and m2):
        return
    # domU2 has finished booting: type to domU1 (input starts there) at once.
    at = len(con.buf)
    con.type("echo one-$((6*7))\r")
    m = con.expect(rb"\(domU1\) one-42\r*\n", 60, at)
    check(m is not None, "linux console: domU1 runs what was typed right after domU2 booted")
    check(b"echo one-$((6*7))" in con.lines_of(b"domU1", at), "linux console: domU1 echoes it")
    check(con.expect(rb"\x1b\[6n", 10, at) is not None,
          "linux console: busybox's cursor query reaches the terminal from the live domU1")

    at = len(con.buf)
    con.type("\x01\x01\x01")
    check(con.expect(rb"bulkhead: input to domU2 ", 30, at) is not None,
          "linux console: Ctrl-A x3 moves the input to domU2")
    at = len(con.buf)
    con.type("echo two-$((6*7))\r")
    m = con.expect(rb"\(domU2\) two-42\r*\n", 60, at)
    check(m is not None, "linux console: domU2 runs what was typed")
    check(b"echo two-$((6*7))" in con.lines_of(b"domU2", at), "linux console: domU2 echoes it")
    check(b"two-42" not in con.lines_of(b"domU1", at), "linux console: domU1 got none of it")

    at = len(con.buf)
    con.type("poweroff\r")
    check(con.expect(rb"bulkhead: domain domU2 stopped: PSCI SYSTEM_OFF", 60, at) is not None,
          "linux console: poweroff in domU2")

    at = len(con.buf)
    con.type("\x01\x01\x01")
    check(con.expect(rb"bulkhead: input to domU1 ", 30, at) is not None,
          "linux console: Ctrl-A x3 brings the input back to domU1")
    at = len(con.buf)
    con.type("poweroff\r")
    check(con.expect(rb"bulkhead: domain domU1 stopped: PSCI SYSTEM_OFF", 60, at) is not None,
          "linux console: poweroff in domU1")
    check(con.expect(rb"bulkhead: all domains stopped, powering off", 60, at) is not None,
          "linux console: the machine powers off")
    con.reap(60)
    check(con.status == 0, "linux console: qemu exits 0 (status %s)" % con.status)

    text = con.buf.replace(b"\r", b"")
    check(b".[6n" not in text, "linux console: no '.[6n' after any prompt")
    start = text.find(b"bulkhead: input to domU1")
    odd = [l for l in text[start:].split(b"\n")
           if l and not re.match(rb"\((domU1|domU2)\) |bulkhead: ", l)]
    check(not odd, "linux console: every line carries a name (%d do not: %r)" % (len(odd), odd[:3]))


if __name__ == "__main__":
    sys.exit(main())
