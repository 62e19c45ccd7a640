"""Engine set-up and schema migrations (Alembic, scripts shipped inside the package)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from deepworkzone.server import defaults

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# How long a writer waits for another one, in this process or another (SQLite's busy timeout).
SQLITE_BUSY_TIMEOUT_S = 15.0

_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(database: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(database, threading.Lock())


class SerializedWriters(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on one lock per database file in
    this process, taken just before the statement that opens the transaction and released
    right after its commit or rollback.

    SQLite lets one writer in at a time; the others poll with its busy handler, which sleeps
    1, 2, 5 ... 100 ms between tries. Under 8 concurrent writers that polling, not the work,
    set the pace (8 clients created 18 sessions/s where one alone made 93). A waiter on this
    lock wakes the moment the writer before it is done. Writers in other processes still meet
    at SQLite's own lock, with the busy timeout.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock = _write_lock(str(database))
        self._holding = False

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _SerializedCursor)

    def _before(self, sql: str) -> None:
        # The statements the sqlite3 module opens a transaction for (its legacy mode).
        if self._holding or self.in_transaction:
            return
        if sql.lstrip()[:7].upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            # On a timeout go ahead anyway: SQLite's own lock still keeps the data safe.
            self._holding = self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S)

    def _release(self) -> None:
        if self._holding and not self.in_transaction:
            self._holding = False
            self._lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holding:
                self._holding = False
                self._lock.release()


class _SerializedCursor(sqlite3.Cursor):
    connection: SerializedWriters

    def execute(self, sql: str, parameters: Any = (), /) -> _SerializedCursor:
        self.connection._before(sql)
        try:
            super().execute(sql, parameters)
            return self
        finally:
            self.connection._release()  # a failed BEGIN leaves no transaction to wait for

    def executemany(self, sql: str, parameters: Any, /) -> _SerializedCursor:
        self.connection._before(sql)
        try:
            super().executemany(sql, parameters)
            return self
        finally:
            self.connection._release()


def make_engine(url: str, connections: int = defaults.DB_CONNECTIONS) -> Engine:
    """An engine for ``url`` that keeps up to ``connections`` open; SQLite gets WAL, foreign
    keys, a busy timeout and writers that queue instead of polling (SerializedWriters).

    Every connection the pool opens stays open (no overflow): with SQLAlchemy's default of
    5 kept plus 10 overflow, 8 concurrent clients made the pool close and reopen a
    connection every 7 or 8 requests, and each reopening is a new PostgreSQL backend
    process. A request past ``connections`` in flight waits for one in auth.get_db."""
    pool: dict[str, Any] = {"pool_size": connections, "max_overflow": 0}
    if url.startswith("sqlite"):
        # Requests run on a thread pool; each connection is still used by one thread at a time.
        options: dict[str, Any] = {
            "connect_args": {
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_S,
                "factory": SerializedWriters,
            }
        }
        if make_url(url).database in (None, "", ":memory:"):
            # An in-memory database lives in one connection: share it, or each would be empty.
            options["poolclass"] = StaticPool
        else:
            options |= pool
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL makes NORMAL safe against corruption; only the last commits can be lost on power cut.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's default page cache is 2 MiB; 10,000 sessions take 4. Reading through a larger
    # cache and a memory map makes the list queries about 40% faster.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
