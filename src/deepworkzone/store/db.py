"""The app's SQLite database: one connection helper, WAL, numbered migrations.

The schema version lives in ``PRAGMA user_version``. Migrations are a list: entry N-1 takes
the database from version N-1 to N. Before an existing database is migrated it is copied to
``deepworkzone.db.bak-v<old version>`` (with SQLite's backup API, which is consistent even
with a WAL beside it), so a bad migration never costs the user their offline edits.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from deepworkzone.core.paths import app_paths

log = logging.getLogger(__name__)

MIGRATIONS: list[tuple[str, ...]] = [
    # v1: session cache (also the home of local-only sessions), outbox, temporary-id map.
    (
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        # scope: '' for local-only sessions, else the server's URL, so two servers never mix.
        # id: the server's id; in local-only mode a local id; negative: a create not yet sent.
        """CREATE TABLE sessions (
            scope TEXT NOT NULL,
            id INTEGER NOT NULL,
            data TEXT NOT NULL,
            stored_at TEXT NOT NULL,
            PRIMARY KEY (scope, id)
        )""",
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            op TEXT NOT NULL,
            session_id INTEGER,
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )""",
        """CREATE TABLE id_map (
            scope TEXT NOT NULL,
            local_id INTEGER NOT NULL,
            server_id INTEGER NOT NULL,
            PRIMARY KEY (scope, local_id)
        )""",
    ),
    # v2: entries the server refused for good are kept (not silently dropped) for the user.
    (
        """ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'""",
        """CREATE INDEX outbox_pending ON outbox (scope, state, seq)""",
    ),
    # v3: history of focus runs (completed, ended early, missed), one row per run
    # (store/history.py). Times are UTC "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, so text order
    # is time order); occurrence is the scheduled day (YYYY-MM-DD) of a session's
    # occurrence, NULL for a run started by hand.
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            session_id INTEGER,
            occurrence TEXT,
            name TEXT NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            planned_minutes INTEGER NOT NULL CHECK (planned_minutes >= 0),
            focused_minutes INTEGER NOT NULL DEFAULT 0 CHECK (focused_minutes >= 0),
            outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'ended_early', 'missed')),
            reason TEXT,
            strict INTEGER NOT NULL DEFAULT 0,
            emergency_exit INTEGER NOT NULL DEFAULT 0,
            recorded_at TEXT NOT NULL,
            -- a missed occurrence never started; every other run did
            CHECK ((outcome = 'missed') = (started_at IS NULL)),
            CHECK (outcome <> 'missed' OR occurrence IS NOT NULL),
            -- NULLs are distinct in a unique index: an occurrence needs its session
            CHECK (occurrence IS NULL OR session_id IS NOT NULL)
        )""",
        """CREATE INDEX runs_started ON runs (started_at)""",
        # A scheduled occurrence is recorded once (a missed one is never recorded twice).
        """CREATE UNIQUE INDEX runs_occurrence ON runs (scope, session_id, occurrence)
           WHERE occurrence IS NOT NULL""",
        # Missed runs are found by their day; emergency exits are counted by their end.
        """CREATE INDEX runs_missed ON runs (occurrence) WHERE started_at IS NULL""",
        """CREATE INDEX runs_emergency ON runs (ended_at) WHERE emergency_exit = 1""",
    ),
    # v4: sync across processes (store/outbox.py, engine/sync.py). An entry carries the
    # Idempotency-Key its POST is sent with, a lease (claimed_by, claimed_until: Unix seconds)
    # so two processes never send it at once, and the server's verdict when a PUT conflicts.
    # A cached session keeps the ETag of the server's answer it came from.
    (
        """ALTER TABLE outbox ADD COLUMN idem_key TEXT""",
        """ALTER TABLE outbox ADD COLUMN claimed_by TEXT""",
        """ALTER TABLE outbox ADD COLUMN claimed_until REAL""",
        """ALTER TABLE outbox ADD COLUMN conflict TEXT""",
        """ALTER TABLE sessions ADD COLUMN etag TEXT""",
    ),
    # v5: local-only sessions get L-ids (negative), like creates not yet sent, so that an id
    # keeps its meaning when the session is uploaded to a server (sessions_cache.new_local_id).
    (
        """UPDATE sessions SET id = -id, data = json_set(data, '$.id', -id)
           WHERE scope = '' AND id > 0""",
        """UPDATE runs SET session_id = -session_id WHERE scope = '' AND session_id > 0""",
        """DELETE FROM meta WHERE key LIKE 'next_local_id:%' OR key LIKE 'next_temp_id:%'""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


class DatabaseError(Exception):
    """The database cannot be used; shown as one line, exit 1 (the user must act)."""

    exit_code = 1


def connect(path: Path | None = None, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open (creating or migrating as needed) the database at ``path``."""
    path = path or app_paths().database
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    try:
        # Autocommit mode: transactions are explicit (``transaction``), never implicit.
        conn = sqlite3.connect(
            path, timeout=10.0, isolation_level=None, check_same_thread=check_same_thread
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, path if existed else None)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open the local database {path}: {exc}") from None
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, backup_of: Path | None = None) -> int:
    """Bring the schema to SCHEMA_VERSION; answer the version found before."""
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise DatabaseError(
            f"the local database is schema v{found}, newer than this app knows (v{SCHEMA_VERSION}); "
            "update Deep Work Zone"
        )
    if found == SCHEMA_VERSION:
        return found
    if backup_of is not None and found > 0:
        backup(conn, backup_of.with_name(f"{backup_of.name}.bak-v{found}"))
    with transaction(conn):
        # Read again under the write lock: another process may have migrated meanwhile.
        current = schema_version(conn)
        for version in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            log.info("local database migrated to schema v%d", version + 1)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    return found


def backup(conn: sqlite3.Connection, target: Path) -> None:
    if target.exists():
        return  # the first copy of that version is the one worth keeping
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    log.info("local database backed up to %s before migrating", target)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error; nests as a no-op."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class ThreadConnections:
    """One connection to the database at ``path`` per thread, opened on first use.

    A ``sqlite3.Connection`` may only be used on the thread that made it; stores built on a
    ``ThreadConnections`` (``SessionsCache``, ``Outbox``, ``RemoteSessions``) can be shared by
    threads instead: each thread gets its own connection, so transactions never interleave.
    Connections are opened with ``check_same_thread=False`` only so that ``close()`` (and the
    pruning of connections of threads that have ended) may close them from another thread;
    ``get()`` never hands one to a thread other than its own.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or app_paths().database
        self._lock = threading.Lock()
        self._by_thread: dict[int, tuple[threading.Thread, sqlite3.Connection]] = {}
        self._closed = False

    def get(self) -> sqlite3.Connection:
        ident = threading.get_ident()
        found = self._by_thread.get(ident)
        if found is not None and found[0] is threading.current_thread():
            return found[1]
        with self._lock:
            if self._closed:
                raise DatabaseError(f"the local database {self.path} was closed")
            self._prune()
            conn = connect(self.path, check_same_thread=False)
            self._by_thread[ident] = (threading.current_thread(), conn)
            return conn

    def _prune(self) -> None:
        for ident, (thread, conn) in list(self._by_thread.items()):
            if not thread.is_alive():
                del self._by_thread[ident]
                conn.close()

    def __len__(self) -> int:
        return len(self._by_thread)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for _thread, conn in self._by_thread.values():
                conn.close()
            self._by_thread.clear()

    def __enter__(self) -> ThreadConnections:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Connectable = sqlite3.Connection | ThreadConnections


def connection_of(conn: Connectable) -> sqlite3.Connection:
    """The connection to use on this thread."""
    return conn.get() if isinstance(conn, ThreadConnections) else conn
