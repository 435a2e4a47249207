"""One small database interface over SQLite (the default) and PostgreSQL (psycopg 3).

SQL is written once with ``?`` placeholders in the subset both understand (``ON CONFLICT``,
``RETURNING``, partial indexes); the PostgreSQL connection translates the placeholders. Both
connections are safe to share between threads: calls are serialised by a lock, and
:meth:`Database.transaction` holds it until the transaction ends.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from vidkit.errors import ConfigError, VidkitError

Row = tuple[Any, ...]


class DatabaseError(VidkitError):
    """The database cannot be opened or a statement failed."""


class Database(Protocol):
    dialect: str  # "sqlite" or "postgresql"
    url: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


def connect(url: str) -> Database:
    """Open ``url``: ``postgresql://...``, ``sqlite:///PATH`` or a plain file path."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(url)
    if url.startswith("sqlite://"):
        # sqlite:///abs/path (like file:///), sqlite:////abs/path (SQLAlchemy), sqlite://./rel
        path = url[len("sqlite://") :]
        if path.startswith("//"):
            path = path[1:]
        if path in ("", "/:memory:", ":memory:"):
            return SQLiteDatabase(":memory:")
        return SQLiteDatabase(Path(path).expanduser())
    if "://" in url:
        raise ConfigError(
            f"unsupported database URL {url!r}",
            key="VIDKIT_DB",
            hint="a SQLite file path or postgresql://user@host/dbname",
        )
    return SQLiteDatabase(Path(url).expanduser())


class SQLiteDatabase:
    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.url = str(path)
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseError(f"cannot open database: {exc}", path=path) from None
        self._lock = threading.RLock()
        self._in_tx = False
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock:
            self._conn.execute(sql, params).close()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows).close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            cur = self._conn.execute(sql, params)
            try:
                return cur.fetchall()
            finally:
                cur.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._in_tx:  # nested: part of the outer transaction
                yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_tx = False

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                "PostgreSQL support is not installed",
                key="VIDKIT_DB",
                hint="pip install 'vidkit[postgres]'",
            ) from None
        self.url = url
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseError(
                f"cannot connect to PostgreSQL: {first}", hint="check VIDKIT_DB"
            ) from None
        self._lock = threading.RLock()
        self._in_tx = False

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock:
            self._conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock, self._conn.cursor() as cur:
            cur.executemany(self._sql(sql), list(rows))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock, self._conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return [tuple(r) for r in cur.fetchall()]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._in_tx:
                yield
                return
            self._in_tx = True
            try:
                with self._conn.transaction():
                    yield
            finally:
                self._in_tx = False

    def close(self) -> None:
        with self._lock:
            self._conn.close()
