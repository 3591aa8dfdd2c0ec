"""Database helpers shared by every feature: column types, time, engine set-up."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.engine import Engine

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT
# for tables that grow to millions of rows (answers, responses).
BigId = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    """Naive UTC timestamp: both databases store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers run beside one writer; busy_timeout makes several
    gunicorn workers queue for the write lock instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def begin_write(session) -> None:
    """Start the session's write transaction now, holding the write lock.

    On SQLite this sends ``BEGIN IMMEDIATE``: the database write lock is
    taken (waiting in ``busy_timeout`` if another writer has it) before the
    transaction's first read, so the checks that follow (response cap, one
    response per browser, "already complete?") see every committed write
    and cannot be overtaken before the insert. The Python driver would
    otherwise start a deferred transaction only at the first INSERT or
    UPDATE. On PostgreSQL the transaction starts with the next statement
    as usual, and the callers lock rows where they need to.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
