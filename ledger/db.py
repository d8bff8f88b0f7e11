"""Opening the ledger: one SQLite file in WAL mode, a busy timeout, forward-only migrations.

Each thread opens its own connection (per request via Flask `g`, per scheduler job); nothing at
module level holds a connection.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import weakref
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

__all__ = ["open_db", "immediate", "read_only", "data_version", "write_probe", "first_row", "inserted_id", "get_meta", "set_meta", "peek_meta", "DEMO_CLOCK", "now_iso",
           "dumps", "loads", "SCHEMA_VERSION", "LedgerError", "SCORED_TABLES"]


class LedgerError(ValueError):
    """A domain error with a message for people (Chinese)."""


def now_iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    if not text:
        return default
    return json.loads(text)


MIGRATIONS: list[str] = [
    # 1: the whole first schema. Later changes are appended, never edited.
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'department',
        aliases TEXT NOT NULL DEFAULT '[]',
        group_webhook TEXT,
        group_channel TEXT,
        mention_in_group INTEGER NOT NULL DEFAULT 1,
        paused_until TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '*',
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('liaison', 'staff', 'admin')),
        unit_id INTEGER REFERENCES units(id),
        deputy_user_id TEXT,
        deputy_until TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (user_id, channel)
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        indicator TEXT NOT NULL,
        period TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'data',
        metrics TEXT NOT NULL DEFAULT '{}',
        text TEXT NOT NULL DEFAULT '',
        received_at TEXT NOT NULL,
        deadline TEXT,
        on_time INTEGER,
        member_id INTEGER REFERENCES members(id),
        channel TEXT NOT NULL,
        source_msg_id TEXT,
        status TEXT NOT NULL DEFAULT 'submitted'
            CHECK (status IN ('submitted', 'accepted', 'rejected', 'withdrawn', 'superseded')),
        review_reason TEXT,
        reviewed_by INTEGER REFERENCES members(id),
        reviewed_at TEXT
    );
    CREATE UNIQUE INDEX submissions_source ON submissions(channel, source_msg_id)
        WHERE source_msg_id IS NOT NULL;
    CREATE INDEX submissions_unit ON submissions(unit_id, indicator, period);
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        indicator TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        path TEXT NOT NULL,
        original_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'submitted'
            CHECK (status IN ('submitted', 'accepted', 'rejected', 'withdrawn')),
        review_reason TEXT,
        received_at TEXT NOT NULL,
        member_id INTEGER REFERENCES members(id),
        channel TEXT NOT NULL,
        source_msg_id TEXT
    );
    CREATE UNIQUE INDEX evidence_source ON evidence(channel, source_msg_id, sha256)
        WHERE source_msg_id IS NOT NULL;
    CREATE TABLE adjustments (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        kind TEXT NOT NULL CHECK (kind IN ('points', 'deduction', 'event')),
        indicator TEXT,
        value TEXT,
        reason TEXT NOT NULL DEFAULT '',
        member_id INTEGER REFERENCES members(id),
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn'))
    );
    CREATE TABLE inbound (
        channel TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        received_at TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        reply TEXT,
        PRIMARY KEY (channel, msg_id)
    );
    CREATE TABLE pending (
        member_key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_due ON outbox(status, next_try_at);
    CREATE TABLE upload_tokens (
        token TEXT PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        indicator TEXT NOT NULL,
        member_id INTEGER REFERENCES members(id),
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    """,
]

# Tables whose rows change a scorecard. Every write to them bumps meta.data_version (by trigger,
# so the CLI, the scheduler and a second worker process are all covered), which is what keeps
# cached scorecards honest.
SCORED_TABLES = ("units", "submissions", "evidence", "adjustments")


def _version_triggers() -> str:
    bump = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'"
    return "".join(f"CREATE TRIGGER {t}_{op.lower()}_version AFTER {op} ON {t} BEGIN {bump}; END;\n"
                   for t in SCORED_TABLES for op in ("INSERT", "UPDATE", "DELETE"))


MIGRATIONS.append(
    # 2: a data version counter for caches of derived data (scorecards).
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('data_version', '0');\n" + _version_triggers()
)
MIGRATIONS.append(
    # 3: a unit's DingTalk group robot may require 加签.
    "ALTER TABLE units ADD COLUMN group_secret TEXT;"
)


def _unit_version_triggers() -> str:
    """A unit's facts change only with its own submissions, evidence and adjustments: count
    those writes per unit, so a cache can recompute just the units that moved."""
    out = []
    for t in ("submissions", "evidence", "adjustments"):
        for op, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            out.append(f"CREATE TRIGGER {t}_{op.lower()}_unit_version AFTER {op} ON {t} BEGIN "
                       f"UPDATE units SET facts_version = facts_version + 1 "
                       f"WHERE id = {row}.unit_id; END;")
    return "\n".join(out)


MIGRATIONS.append(
    # 4: per-unit facts version (see _unit_version_triggers).
    "ALTER TABLE units ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;\n"
    + _unit_version_triggers()
)
MIGRATIONS.append(
    # 5: time-limited download links for exports sent in chat.
    """
    CREATE TABLE downloads (
        token TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        member_id INTEGER REFERENCES members(id),
        expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """
)
MIGRATIONS.append(
    # An office year: several schemes (a city's 市直 and 县 annexes) and several assessment
    # years in one ledger. A one-scheme database carries its scheme and year over from meta.
    # Staff adjustments and evidence files belong to a year (NULL: the office's first year,
    # from before years existed); a file may name the period it completes (a quarter's 台账).
    """
    CREATE TABLE office_schemes (
        scheme_id TEXT PRIMARY KEY,
        source TEXT,
        added_at TEXT NOT NULL
    );
    CREATE TABLE office_years (
        year INTEGER PRIMARY KEY,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        opened_at TEXT NOT NULL,
        closed_at TEXT
    );
    INSERT INTO office_schemes(scheme_id, added_at)
        SELECT value, '' FROM meta WHERE key = 'scheme_id' AND value != '';
    INSERT INTO office_years(year, opened_at)
        SELECT CAST(value AS INTEGER), '' FROM meta WHERE key = 'year' AND value != '';
    ALTER TABLE adjustments ADD COLUMN year INTEGER;
    ALTER TABLE evidence ADD COLUMN year INTEGER;
    ALTER TABLE evidence ADD COLUMN period TEXT;
    """
)
MIGRATIONS.append(
    # DingTalk callback signatures seen, so one captured timestamp/sign pair cannot carry
    # another body or msgId within its hour (the sign covers only timestamp and secret).
    """
    CREATE TABLE IF NOT EXISTS callback_signatures (
        channel TEXT NOT NULL,
        sign TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (channel, sign)
    );
    """
)
MIGRATIONS.append(
    # Staff acts (代报, 确认, 打分, 扣分, 事件, 审核, 绑定): the 编号 that 撤销 undoes, with the
    # rows each act changed (see ledger/acts.py); one-time download links for evidence (查看).
    """
    CREATE TABLE staff_acts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        member_id INTEGER REFERENCES members(id),
        summary TEXT NOT NULL DEFAULT '',
        changes TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
    );
    CREATE INDEX staff_acts_unit ON staff_acts(unit_id, id);
    ALTER TABLE downloads ADD COLUMN single_use INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE downloads ADD COLUMN used_at TEXT;
    """
)
MIGRATIONS.append(
    # console: one-time login links from chat and the browser sessions they open (digests only),
    # and month-end totals for its charts (ledger.history).
    """
    CREATE TABLE console_logins (
        token_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        expires_at TEXT NOT NULL,
        used_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        ended_at TEXT
    );
    CREATE TABLE month_totals (
        scheme_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        month TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        totals TEXT NOT NULL,
        PRIMARY KEY (scheme_id, year, month)
    );
    """
)
MIGRATIONS.append(
    # the years a scheme assesses: this year's document replaces last year's for the same kind
    # of unit from a year on (scheme add --from), and a closed year keeps the scheme it closed with
    """
    ALTER TABLE office_schemes ADD COLUMN first_year INTEGER;
    ALTER TABLE office_schemes ADD COLUMN last_year INTEGER;
    """
)
MIGRATIONS.append(
    # Evidence rows name their file relative to the data folder (ledger/files.py), so a backup
    # restored into another folder opens every file. Files are stored as
    # evidence/<sha256[:2]>/<sha256><suffix>; the file name is found by its sha256, which no
    # folder name repeats, and the rest of the old absolute path is dropped.
    """
    UPDATE evidence SET path = 'evidence/' || substr(sha256, 1, 2) || '/'
                               || substr(path, instr(path, sha256))
        WHERE instr(path, sha256) > 0
          AND path != 'evidence/' || substr(sha256, 1, 2) || '/' || substr(path, instr(path, sha256));
    """
)
MIGRATIONS.append(
    # The memory of messages acted on (ledger/replay.py): unlike the inbound copies, never
    # pruned, so a replay after retention records nothing twice. Seeded from the copies kept.
    """
    CREATE TABLE handled_messages (
        channel TEXT NOT NULL,
        msg_id TEXT NOT NULL,
        handled_at TEXT NOT NULL,
        PRIMARY KEY (channel, msg_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO handled_messages(channel, msg_id, handled_at)
        SELECT channel, msg_id, received_at FROM inbound;
    """
)
MIGRATIONS.append(
    # An upload link remembers the period named in chat (佐证 双公示 2022年第四季度 in January):
    # the files it brings are that period's, in that period's year. NULL: the period the files
    # count for when they arrive, as for a file sent in chat.
    """
    ALTER TABLE upload_tokens ADD COLUMN period TEXT;
    """
)
MIGRATIONS.append(
    # People and their bindings: a members row is one platform binding (user id, channel); the
    # bindings of one person share person_id (the id of their first binding), so records,
    # ownership (撤销) and reminders follow the person across platforms. bound_at: when the
    # binding was last made; a person's newest binding is where reminders and notices go.
    # A binding from before per-platform scoping ('*') that staff bound again with --channel
    # left two rows: they become one person, and the '*' row ends (the pinned one answers).
    # submissions.sent: the message(s) a record came from, verbatim (JSON list; after the
    # first, answers to the bot's follow-up question).
    """
    ALTER TABLE members ADD COLUMN person_id INTEGER;
    ALTER TABLE members ADD COLUMN bound_at TEXT;
    UPDATE members SET person_id = id, bound_at = created_at;
    UPDATE members SET person_id = (SELECT s.id FROM members s
                                    WHERE s.channel = '*' AND s.user_id = members.user_id)
        WHERE channel != '*'
          AND EXISTS (SELECT 1 FROM members s WHERE s.channel = '*' AND s.user_id = members.user_id)
          AND (SELECT COUNT(*) FROM members o
               WHERE o.user_id = members.user_id AND o.channel != '*') = 1;
    UPDATE members SET active = 0
        WHERE channel = '*'
          AND EXISTS (SELECT 1 FROM members o WHERE o.person_id = members.id AND o.id != members.id);
    CREATE INDEX members_person ON members(person_id);
    CREATE TRIGGER members_person_default AFTER INSERT ON members WHEN NEW.person_id IS NULL
        BEGIN UPDATE members SET person_id = NEW.id WHERE id = NEW.id; END;
    ALTER TABLE submissions ADD COLUMN sent TEXT;
    """
)
SCHEMA_VERSION = len(MIGRATIONS)


def _connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=15)
    conn.execute("PRAGMA busy_timeout = 15000")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_db(path: str | Path, migrate: bool = True,
            synchronous: str = "FULL") -> sqlite_utils.Database:
    """Open (and create or migrate) the ledger at `path`. synchronous=FULL: in WAL mode
    NORMAL may lose the last commits on a power cut, and a reply says "已收到" only after the
    commit (bench/durability.py measures the cost)."""
    if synchronous not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(f"synchronous 应为 FULL/NORMAL/EXTRA：{synchronous}")
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(_connect(path))
    if str(path) != ":memory:":
        _locks[db] = _writer_lock(path)  # see immediate()
    if str(path) != ":memory:" and db.journal_mode != "wal":
        db.enable_wal()
    db.execute(f"PRAGMA synchronous = {synchronous}")
    if migrate:
        _migrate(db)
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    with immediate(db):
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):  # written by a newer creditbot: refuse, do not guess
            raise LedgerError(f"数据库结构版本 {version} 比本程序支持的 {len(MIGRATIONS)} 新："
                              f"请升级 creditbot，或从升级前的备份恢复（creditbot restore）")
        for n, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for stmt in _statements(script):
                db.execute(stmt)
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                       [str(n)])


def _statements(script: str) -> list[str]:
    """Split a migration into statements; a CREATE TRIGGER … BEGIN …; END is one statement."""
    out: list[str] = []
    pending = ""
    for part in script.split(";"):
        pending = f"{pending};{part}" if pending else part
        if sqlite3.complete_statement(pending + ";"):
            if pending.strip():
                out.append(pending.strip())
            pending = ""
    if pending.strip():
        out.append(pending.strip())
    return out


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the lock up front (BEGIN IMMEDIATE), so two deliveries of
    one message serialise instead of both reading "not seen yet". Nested use is a savepoint."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    # Threads of one process queue on a lock first: SQLite's busy handler sleeps in growing
    # steps, so a writer waiting there wakes late, long after the lock is free. A bounded wait:
    # past it, SQLite's own busy timeout decides as before (other processes go there anyway).
    lock = _locks.get(db)
    held = lock.acquire(timeout=_WRITER_WAIT_S) if lock is not None else False
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
    finally:
        if held and lock is not None:
            lock.release()


_WRITER_WAIT_S = 15.0  # as long as the connection's busy_timeout
_writer_locks: dict[str, threading.RLock] = {}
_writer_locks_guard = threading.Lock()
# Each open ledger's file lock, looked up by the Database object (held weakly: a closed,
# dropped connection leaves nothing behind). This is the process's only write lock.
_locks: "weakref.WeakKeyDictionary[sqlite_utils.Database, threading.RLock]" = \
    weakref.WeakKeyDictionary()


def _writer_lock(path: Path) -> threading.RLock:
    """One lock per ledger file in this process (a process-wide registry of locks, not of state:
    every connection to the same file must meet the same lock)."""
    key = str(path.resolve())
    with _writer_locks_guard:
        return _writer_locks.setdefault(key, threading.RLock())


@contextlib.contextmanager
def read_only(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A read transaction (one consistent snapshot, no write lock) in which any write fails with
    sqlite3.OperationalError ("attempt to write a readonly database") instead of happening."""
    if db.conn.in_transaction:
        raise RuntimeError("read_only() cannot run inside another transaction")
    db.conn.execute("PRAGMA query_only = ON")
    try:
        db.conn.execute("BEGIN")
        try:
            yield db
        finally:
            db.conn.rollback()  # nothing to keep: ends the snapshot
    finally:
        db.conn.execute("PRAGMA query_only = OFF")


def write_probe(path: str | Path, timeout: float = 2) -> str | None:
    """Take and release the ledger's write lock (`timeout` seconds at most) on a connection of
    its own: None, or why the ledger cannot be written."""
    try:
        conn = sqlite3.connect(str(path), timeout=timeout)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
            conn.rollback()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"数据库不可写：{exc}"
    return None


def data_version(db: sqlite_utils.Database) -> int:
    """The counter bumped by every write to a scored table (see SCORED_TABLES)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def first_row(db: sqlite_utils.Database, sql: str, args: list[Any]) -> dict[str, Any] | None:
    """The first row of a query as a dict, or None. Plain execute: sqlite-utils' query() wraps
    each read in a savepoint, two more statements on every message's hottest reads."""
    cur = db.execute(sql, args)
    row = cur.fetchone()
    return None if row is None else dict(zip([c[0] for c in cur.description], row))


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The id an INSERT gave its row (the cursor types it as possibly None)."""
    if cur.lastrowid is None:
        raise LedgerError("插入记录失败：没有得到编号")
    return cur.lastrowid


def get_meta(db: sqlite_utils.Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [key, value])


DEMO_CLOCK = "demo_now"  # meta key: the demo office's fixed day (bot.demo), read by the settings


def peek_meta(path: str | Path, key: str) -> str | None:
    """A meta value of the ledger file at `path`, read-only: nothing is created or migrated,
    and a missing file or table is None (the settings ask before any ledger exists)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row and row[0] else None
