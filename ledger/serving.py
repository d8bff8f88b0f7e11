"""The `<db>.serving` marker: which servers are using a ledger, so `creditbot restore` never
replaces it under a live one.

The truth is a lock, not the file: every server holds a shared flock on the marker, and the
kernel drops it when the process ends, even by SIGKILL, so a pid left in the file by a crash
can never pass for a live server (nor a live server for a crashed one, as a pid check could
after pid reuse). A server that leaves last removes the marker; a marker nobody holds is a
crash's leftover, and whoever finds it (the next server, a restore) takes it over. A restore
holds the lock exclusively while it works, so no server starts on a half-restored ledger.
Several servers on one ledger (workers) share the lock as before.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Iterator

from ledger.db import LedgerError

__all__ = ["serving", "server_running", "restoring", "marker_path"]

log = logging.getLogger("creditbot")


def marker_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.serving")


def _open_current(path: Path, how: int) -> IO[str] | None:
    """The marker, opened and locked (`how`, non-blocking), re-opened if a server leaving
    last unlinked it meanwhile; None when someone holds a conflicting lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fh = open(path, "a+")
        try:
            fcntl.flock(fh, how | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return None
        try:
            if os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino:
                return fh
        except FileNotFoundError:
            pass
        fh.close()  # locked a file no longer at the path: try the new one


def _leftover(fh: IO[str]) -> list[str]:
    fh.seek(0)
    return [line.strip() for line in fh if line.strip()]


@contextlib.contextmanager
def serving(db_path: str | Path) -> Iterator[None]:
    """Held by a running server. Refuses (LedgerError) while a restore holds the ledger."""
    path = marker_path(db_path)
    sole = _open_current(path, fcntl.LOCK_EX)
    if sole is not None:  # nobody serves: a marker with pids in it is a crash's leftover
        stale = _leftover(sole)
        if stale:
            log.warning("serving marker %s left by a server that did not exit (pid %s); "
                        "taking it over", path, ", ".join(stale))
        sole.truncate(0)
        sole.close()  # drops the lock; the shared one is taken next
    fh = _open_current(path, fcntl.LOCK_SH)
    if fh is None:
        raise LedgerError("数据库正在恢复（creditbot restore），请等恢复完成后再启动服务")
    fh.write(f"{os.getpid()}\n")  # for people reading the file; the lock is what counts
    fh.flush()
    try:
        yield
    finally:
        _leave(fh, path)


def _leave(fh: IO[str], path: Path) -> None:
    """Remove the marker if this is the last server on the ledger, else just let go."""
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another server still holds it
    else:
        path.unlink(missing_ok=True)  # under the exclusive lock: nobody is joining it now
    finally:
        fh.close()


def server_running(db_path: str | Path) -> bool:
    """True while any server holds the ledger. A marker nobody holds is removed."""
    path = marker_path(db_path)
    if not path.exists():
        return False
    fh = _open_current(path, fcntl.LOCK_EX)
    if fh is None:
        return True
    path.unlink(missing_ok=True)
    fh.close()
    return False


@contextlib.contextmanager
def restoring(db_path: str | Path) -> Iterator[bool]:
    """Hold the ledger exclusively for a restore; yields False (holding nothing) when a
    server is running."""
    path = marker_path(db_path)
    fh = _open_current(path, fcntl.LOCK_EX)
    if fh is None:
        yield False
        return
    try:
        yield True
    finally:
        path.unlink(missing_ok=True)
        fh.close()
