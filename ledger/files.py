"""Where a stored file is: rows name files relative to the data folder, so a backup restored
into another folder (another disk, another host) still finds every one of them."""
from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

__all__ = ["stored_name", "locate", "unreadable", "check_evidence", "sha256_of"]


def stored_name(data_dir: str | Path, path: str | Path) -> str:
    """The form a row keeps: the path relative to the data folder, with forward slashes. A file
    outside the data folder (none is written there) keeps its absolute path."""
    path, data = Path(path), Path(data_dir)
    for base, target in ((data, path), (data.resolve(), path.resolve())):
        try:
            return PurePosixPath(*target.relative_to(base).parts).as_posix()
        except ValueError:
            continue
    return str(path)


def locate(data_dir: str | Path, stored: str) -> Path:
    """The file a row names, in this server's data folder. Absolute names (a row the migration to
    relative names could not read) are taken as they are."""
    path = Path(stored)
    if path.is_absolute():
        return path
    return (Path(data_dir) / path).resolve()  # CREDITBOT_DATA may be relative to the working dir


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unreadable(rows: Iterable[tuple[int, str, str]], data_dir: str | Path,
               contents: bool = False) -> list[str]:
    """Evidence rows (id, path, sha256) whose file does not open in `data_dir`, as
    "F<id> <path>：<why>"; with `contents`, a file whose bytes changed counts too."""
    out = []
    for file_id, stored, digest in rows:
        path = locate(data_dir, _relative(stored, digest) if Path(stored).is_absolute()
                      else stored)
        try:
            if not path.is_file():
                out.append(f"F{file_id} {stored}：文件不存在")
            elif contents and sha256_of(path) != digest:
                out.append(f"F{file_id} {stored}：内容与记录不符")
        except OSError as exc:
            out.append(f"F{file_id} {stored}：无法读取（{exc.strerror}）")
    return out


def _relative(stored: str, digest: str) -> str:
    """An absolute name of an older ledger as the migration rewrites it (see ledger.db)."""
    at = stored.find(digest)
    return f"evidence/{digest[:2]}/{stored[at:]}" if at >= 0 else stored


def check_evidence(db: Any, data_dir: str | Path) -> tuple[int, list[str]]:
    """Open every evidence row's file in `data_dir` and compare its checksum: (rows, problems)."""
    rows = [tuple(r) for r in db.execute("SELECT id, path, sha256 FROM evidence ORDER BY id")]
    return len(rows), unreadable(rows, data_dir, contents=True)
