"""A seccomp filter that stops an executor process from ever opening a socket.

pyoxigraph evaluates SERVICE by making HTTP requests itself. The lexical check in `safety.py` refuses
such queries with a clear message; this is the guarantee behind it: in an executor, `socket()` fails
with EACCES (so does io_uring, which could open sockets without it), and a query that slipped past the
check gets an error instead of a connection. Executors talk to their parent over pipes, and neither
Python nor RocksDB needs a socket to read a store.

Linux on x86_64 and aarch64 only; elsewhere `no_sockets()` says why it could not, and the lexical
check is the only guard.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
BPF_RET_K = 0x06  # BPF_RET | BPF_K
X32_SYSCALL_BIT = 0x40000000

# audit architecture, socket(), io_uring_setup()
ARCHITECTURES = {
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}


class _SockFilter(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter)))


def program(arch: int, socket_nr: int, io_uring_nr: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: refuse socket() and io_uring_setup(), and any call of a foreign ABI."""
    refuse = SECCOMP_RET_ERRNO | errno.EACCES
    return [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, arch),
        (BPF_RET_K, 0, 0, refuse),
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (BPF_JGE_K, 3, 0, X32_SYSCALL_BIT),
        (BPF_JEQ_K, 2, 0, socket_nr),
        (BPF_JEQ_K, 1, 0, io_uring_nr),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, refuse),
    ]


def no_sockets() -> str | None:
    """Install the filter for this process and every thread it starts later; None on success,
    else the reason it could not be installed."""
    if sys.platform != "linux" or platform.machine() not in ARCHITECTURES:
        return f"no seccomp filter for {sys.platform}/{platform.machine()}"
    instructions = [_SockFilter(*op) for op in program(*ARCHITECTURES[platform.machine()])]
    table = (_SockFilter * len(instructions))(*instructions)
    fprog = _SockFprog(len(instructions), table)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return None
