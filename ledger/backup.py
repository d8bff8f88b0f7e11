"""Backups a live server can take and an office can restore.

`cp creditbot.db` misses what still sits in the WAL; SQLite's online backup API copies a
consistent snapshot while the server keeps writing. The data folder is copied after the
snapshot: evidence files are written before the rows that name them are committed, so every
file the snapshot refers to is already there (a newer file is at worst an unreferenced extra).
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.db import SCHEMA_VERSION, LedgerError
from ledger.files import sha256_of, unreadable
from ledger.serving import server_running, serving  # re-exported: restore's guard

__all__ = ["backup", "restore", "rotate", "verify", "serving", "server_running",
           "BACKUP_PREFIX", "MANIFEST"]

BACKUP_PREFIX = "creditbot-"
MANIFEST = "manifest.json"
DB_NAME = "creditbot.db"
_SKIP = ("incoming", "exports")  # in-flight downloads and re-creatable workbooks


def backup(db_path: str | Path, data_dir: str | Path, dest: str | Path, now: datetime) -> Path:
    """Write `dest/creditbot-YYYYmmdd-HHMMSS/` (database snapshot, data folder, manifest) and
    return it. Built under a temporary name and renamed at the end, so a folder with the final
    name is always complete."""
    dest = Path(dest)
    final = dest / f"{BACKUP_PREFIX}{now:%Y%m%d-%H%M%S}"
    if final.exists():
        raise LedgerError(f"备份目录已存在：{final}")
    work = dest / f".{final.name}.part"
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir(parents=True)
        source = sqlite3.connect(str(db_path), timeout=30)
        target = sqlite3.connect(str(work / DB_NAME))
        try:
            source.backup(target, pages=1024)  # steps, so writers are not held for long
            version = target.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            target.close()
            source.close()
        files = _copy_data(Path(data_dir), work / "data")
        manifest = {"created_at": now.isoformat(timespec="seconds"),
                    "schema_version": int(version[0]) if version else 0,
                    "database": {"file": DB_NAME, "sha256": sha256_of(work / DB_NAME)},
                    "files": files}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
        work.rename(final)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise LedgerError(f"备份失败：{exc}") from exc
    return final


def _copy_data(src: Path, dst: Path) -> dict[str, int]:
    """Copy the data folder (without in-flight parts); returns relative path -> size."""
    out: dict[str, int] = {}
    if not src.exists():
        return out
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or rel.parts[0] in _SKIP or path.suffix == ".part":
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        out[rel.as_posix()] = target.stat().st_size
    return out


def verify(folder: str | Path) -> dict[str, Any]:
    """Check a backup before trusting it: manifest, database checksum and integrity, every
    listed file present with its size. Returns the manifest; raises LedgerError."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LedgerError(f"{folder} 不是完整的备份（缺少或无法读取 {MANIFEST}）") from exc
    db_file = folder / manifest["database"]["file"]
    if not db_file.exists() or sha256_of(db_file) != manifest["database"]["sha256"]:
        raise LedgerError(f"备份中的数据库文件缺失或已损坏：{db_file}")
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute("SELECT id, path, sha256 FROM evidence").fetchall() \
            if result == "ok" else []
    finally:
        conn.close()
    if result != "ok":
        raise LedgerError(f"备份数据库完整性检查未通过：{result}")
    # Every row's file must be in the backup's own data folder: that is what a restore into
    # another folder will read (ledger.files), not wherever the backup was taken.
    missing = unreadable(rows, folder / "data")
    if missing:
        raise LedgerError(f"备份中缺少 {len(missing)} 个佐证文件：" + "；".join(missing[:5]))
    if manifest["schema_version"] > SCHEMA_VERSION:
        raise LedgerError(f"备份来自更新版本的 creditbot（结构版本 {manifest['schema_version']}），"
                          f"请先升级再恢复")
    for rel, size in manifest["files"].items():
        path = folder / "data" / rel
        if not path.is_file() or path.stat().st_size != size:
            raise LedgerError(f"备份中的文件缺失或大小不符：data/{rel}")
    return manifest


def restore(folder: str | Path, db_path: str | Path, data_dir: str | Path,
            now: datetime) -> Path:
    """Replace the ledger and data folder with a verified backup. The current ones are moved
    aside to `<db>.before-restore-<time>` / `<data>.before-restore-<time>` (nothing is
    deleted); the server must be stopped. Returns the folder holding what was replaced."""
    folder = Path(folder)
    verify(folder)
    db_path, data_dir = Path(db_path), Path(data_dir)
    stamp = f"before-restore-{now:%Y%m%d-%H%M%S}"
    aside = db_path.parent / f"{db_path.name}.{stamp}"
    aside.mkdir(parents=True, exist_ok=False)
    # The WAL and shared-memory files belong to the old database: leaving them would replay
    # old pages over the restored file.
    for suffix in ("", "-wal", "-shm", "-journal"):
        old = Path(f"{db_path}{suffix}")
        if old.exists():
            shutil.move(str(old), aside / old.name)
    if data_dir.exists():
        shutil.move(str(data_dir), aside / "data")
    tmp = db_path.with_name(f".{db_path.name}.restoring")
    shutil.copy2(folder / DB_NAME, tmp)
    tmp.replace(db_path)
    if (folder / "data").exists():
        shutil.copytree(folder / "data", data_dir)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
    return aside


def rotate(dest: str | Path, keep: int) -> list[Path]:
    """Keep the newest `keep` complete backups in `dest`; returns those removed."""
    backups = sorted(p for p in Path(dest).glob(f"{BACKUP_PREFIX}*") if (p / MANIFEST).exists())
    old = backups[:-keep] if keep > 0 else []
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old
