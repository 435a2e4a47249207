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


_RETRY = "then run the command again; the step that failed recorded nothing"
# SQLite's primary result codes (the low byte of sqlite_errorcode) that people can act on
_SQLITE_ADVICE = {
    13: ("the disk holding the database is full", f"free some space on it, {_RETRY}"),
    10: (
        "cannot read or write the database file",
        f"is its disk full or failing? free some space or move VIDKIT_DB, {_RETRY}",
    ),
    5: ("the database is locked by another process", f"wait for it to finish, {_RETRY}"),
    8: ("the database is read-only", "check the file's permissions, or set VIDKIT_DB"),
    11: ("the database file is corrupt", "restore it from a backup, or set VIDKIT_DB"),
    26: ("the file is not a vidkit database", "check VIDKIT_DB"),
}


def _sqlite_error(exc: sqlite3.Error, path: str) -> DatabaseError:
    """One line saying what went wrong with the SQLite file and what to do about it."""
    code = getattr(exc, "sqlite_errorcode", None)
    message, hint = _SQLITE_ADVICE.get(-1 if code is None else code & 0xFF, ("", _RETRY))
    said = f"SQLite: {exc}".replace("\n", " ")
    return DatabaseError(f"{message} ({said})" if message else said, path=path, hint=hint)


@contextlib.contextmanager
def _sqlite_errors(path: str) -> Iterator[None]:
    """Turn SQLite's failures (a full disk above all) into a :class:`DatabaseError`; mistakes in
    vidkit's own SQL and constraint violations stay what they are."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, path) from None


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
        try:
            with self._errors():
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
        except DatabaseError:
            self._conn.close()
            raise

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return _sqlite_errors(self.url)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock, self._errors():
            self._conn.execute(sql, params).close()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock, self._errors():
            self._conn.executemany(sql, rows).close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock, self._errors():
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
            with self._errors():
                self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
                with self._errors():
                    self._conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (a full disk does): nothing left to undo
                with contextlib.suppress(sqlite3.Error):
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                raise
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
        self._failure = psycopg.OperationalError  # a full disk, a lost connection, no memory

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._failure as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseError(
                f"PostgreSQL failed: {first}",
                hint="if its disk is full, free some space there, then run the command again",
            ) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock, self._errors():
            self._conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._lock, self._errors(), self._conn.cursor() as cur:
            cur.executemany(self._sql(sql), list(rows))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock, self._errors(), self._conn.cursor() as cur:
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
                with self._errors(), self._conn.transaction():
                    yield
            finally:
                self._in_tx = False

    def close(self) -> None:
        with self._lock:
            self._conn.close()
