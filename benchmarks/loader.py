"""Bulk loading with PostgreSQL COPY (psycopg 3 `cursor.copy`).

Rows are tuples of Python values in a table's declared column order. The loader turns each into
one line of COPY text at once, buffers the lines per table, and sends a buffer as one COPY
when it is big enough. Columns a table has but the generator does not name are filled with the
model field's default, worked out once per table, so a column another app adds with a default
does not break the generator (one without a default stops it with a message naming it).

Two ways to run:
- `Loader.threaded(settings_dict)`: a connection of its own and a writer thread, so PostgreSQL
  parses and indexes one batch while Python makes the next (the command; two cores busy).
  Commits at every `commit()`; foreign keys are checked by PostgreSQL at each commit unless
  the role may switch them off for the session (`session_replication_role = replica`, a
  superuser's privilege), which the command does for speed: the generator makes every
  referenced row before the rows that point at it, and the tiny-scale test checks that with
  the constraints on.
- `Loader.inline(cursor)`: COPY on the caller's connection, in the caller's transaction
  (tests). `check_constraints()` makes PostgreSQL check the deferred foreign keys now.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
from datetime import date, datetime, time
from time import monotonic

from django.apps import apps

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]").search
NULL = "\\N"


def text(value) -> str:
    """One value as COPY text. Naive datetimes are UTC. (Most frequent types first.)"""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPE) if _SPECIAL(value) else value
    if value is None:
        return NULL
    if kind is int:
        return str(value)
    if kind is datetime:
        return value.isoformat() + "+00" if value.tzinfo is None else value.isoformat()
    if kind is bool:
        return "t" if value else "f"
    if kind is date or kind is time:
        return value.isoformat()
    if kind is list or kind is dict:
        return json.dumps(value).translate(_ESCAPE)
    return str(value).translate(_ESCAPE)


def _models_by_table() -> dict:
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


class Table:
    """A table the generator writes, with the columns it names, in that order."""

    def __init__(self, db_table: str, columns: tuple[str, ...]):
        model = _models_by_table().get(db_table)
        if model is None:
            raise LookupError(f"No model has the table {db_table}")
        self.model = model
        self.db_table = db_table
        self.columns = tuple(columns)
        known = {f.column for f in model._meta.concrete_fields}
        unknown = set(self.columns) - known
        if unknown:
            raise LookupError(f"{db_table} has no columns {sorted(unknown)}")
        extra, defaults = [], []
        for field in model._meta.concrete_fields:
            if field.column in self.columns or (field is model._meta.pk and field.column != "id"):
                continue  # named, or an automatic key (history_id) left to its sequence
            if field.column == "id":
                raise LookupError(f"{db_table}: name the id column (rows point at it)")
            extra.append(field.column)
            defaults.append(text(_default(field, db_table)))
        names = ", ".join(f'"{c}"' for c in (*self.columns, *extra))
        self.sql = f"COPY {db_table} ({names}) FROM STDIN"
        self.suffix = ("\t" + "\t".join(defaults)) if defaults else ""
        self.has_id = "id" in self.columns

    def line(self, row: tuple) -> str:
        return "\t".join(map(text, row)) + self.suffix

    def __repr__(self):
        return f"Table({self.db_table})"


def _default(field, db_table: str):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise LookupError(
        f"{db_table}.{field.column} has no default: the generator must fill it "
        "(benchmarks/generate.py)"
    )


class HistoryTable(Table):
    """simple_history's table of a model: the model's columns it keeps, then who and when."""

    HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")

    def __init__(self, main: Table):
        history_model = main.model.history.model
        kept = {f.column for f in history_model._meta.concrete_fields}
        self.pick = tuple(i for i, c in enumerate(main.columns) if c in kept)
        columns = tuple(main.columns[i] for i in self.pick) + self.HISTORY_COLUMNS
        super().__init__(history_model._meta.db_table, columns)
        self.has_id = False  # history_id comes from its sequence; `id` is the record's

    def created(self, row: tuple, at: datetime, user_id: int | None) -> tuple:
        """The '+' row written when `row` was created at `at` by `user_id`."""
        return (*(row[i] for i in self.pick), at, None, "+", user_id)

    def created_line(self, values: list[str], at: datetime, user_id: int | None) -> str:
        """created() as COPY text (without the suffix), from the main row's values already in
        COPY text."""
        picked = "\t".join([values[i] for i in self.pick])
        return f"{picked}\t{text(at)}\t{NULL}\t+\t{text(user_id)}"


_COMMIT = object()
_STOP = object()


class Loader:
    """Buffers rows per table and sends them with COPY. See the module docstring."""

    FLUSH_ROWS = 20_000

    def __init__(self, cursor=None, connection=None, *, threaded: bool):
        self._cursor = cursor
        self._connection = connection
        self._threaded = threaded
        self._buffers: dict[Table, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # time PostgreSQL took over each table's COPY
        self._queue: queue.Queue = queue.Queue(maxsize=6)
        self._error: BaseException | None = None
        self._thread = None
        if threaded:
            self._thread = threading.Thread(target=self._write_loop, daemon=True)
            self._thread.start()

    @classmethod
    def threaded(cls, settings_dict: dict, *, foreign_key_checks: bool = False) -> Loader:
        import psycopg

        connection = psycopg.connect(
            dbname=settings_dict["NAME"],
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None,
            autocommit=False,
        )
        cursor = connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET TIME ZONE 'UTC'")
        if not foreign_key_checks:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
        connection.commit()
        return cls(cursor, connection, threaded=True)

    @classmethod
    def inline(cls, cursor) -> Loader:
        return cls(cursor, None, threaded=False)

    # Rows ------------------------------------------------------------------------------

    def add(self, table: Table, row: tuple) -> None:
        buffer = self._buffers.get(table)
        if buffer is None:
            buffer = self._buffers[table] = []
        buffer.append(table.line(row))
        if len(buffer) >= self.FLUSH_ROWS:
            self._send(table)

    def add_line(self, table: Table, line: str) -> None:
        """A row already in COPY text, in the table's column order (without the suffix)."""
        buffer = self._buffers.get(table)
        if buffer is None:
            buffer = self._buffers[table] = []
        buffer.append(line + table.suffix)
        if len(buffer) >= self.FLUSH_ROWS:
            self._send(table)

    def add_with_history(
        self, table: Table, history: HistoryTable, row: tuple, at: datetime, user_id: int | None
    ) -> None:
        """A row and its '+' history row, formatting the values once."""
        values = [text(value) for value in row]
        self.add_line(table, "\t".join(values))
        self.add_line(history, history.created_line(values, at, user_id))

    def flush(self) -> None:
        for table in list(self._buffers):
            if self._buffers[table]:
                self._send(table)

    def commit(self) -> None:
        """Send everything buffered, then commit (threaded) so PostgreSQL checks the keys."""
        self.flush()
        if self._threaded:
            self._put(_COMMIT)

    def close(self) -> None:
        """Send the rest, commit, and wait for the writer to finish."""
        self.commit()
        if self._threaded:
            self._put(_STOP)
            self._thread.join()
            self._raise_if_failed()
            self._connection.close()

    def check_constraints(self) -> None:
        """Inline only: check the deferred foreign keys of everything written so far."""
        self.flush()
        self._cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    # Writing ---------------------------------------------------------------------------

    def _send(self, table: Table) -> None:
        lines = self._buffers[table]
        self.counts[table.db_table] = self.counts.get(table.db_table, 0) + len(lines)
        data = ("\n".join(lines) + "\n").encode()
        self._buffers[table] = []
        if self._threaded:
            self._put((table, data))
        else:
            self._copy(table, data)

    def _put(self, item) -> None:
        self._raise_if_failed()
        while True:
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"Loading failed: {self._error}") from self._error

    def _copy(self, table: Table, data: bytes) -> None:
        started = monotonic()
        with self._cursor.copy(table.sql) as copy:
            copy.write(data)
        name = table.db_table
        self.seconds[name] = self.seconds.get(name, 0.0) + monotonic() - started

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if self._error is not None:
                continue  # drain: the main thread raises
            try:
                if item is _COMMIT:
                    self._connection.commit()
                else:
                    self._copy(*item)
            except BaseException as error:  # reported to the main thread
                self._error = error
                with contextlib.suppress(Exception):  # the first error is the one reported
                    self._connection.rollback()
