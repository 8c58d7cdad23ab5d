"""Bulk loading with PostgreSQL COPY (psycopg 3 `cursor.copy`).

A table's columns are its model's concrete fields, in the model's order (`Table`): the
generator gives each row's values by column name, and a column it does not name takes the model
field's default, worked out once per table, so a field another app adds with a default needs no
change here (one without a default stops the generator with a message naming it). The loader
turns each row into one line of COPY text at once, buffers the lines per table, and sends a
buffer as one COPY when it is big enough.

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
import keyword
import queue
import re
import threading
from collections.abc import Callable
from datetime import date, datetime, time
from operator import itemgetter
from time import monotonic

from django.apps import apps
from django.db.models import CharField, DateTimeField, IntegerField, TextField

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
    """A table the generator writes: every concrete column of its model, in the model's order
    (an automatic key other than `id`, such as history_id, is left to its sequence).

    `texts(**values)` turns one row, its values by column name, into its COPY text values in
    column order; a column not named takes its field's default. It is a function compiled once
    per table from the model's fields (as dataclasses compiles `__init__`), so that a row costs
    one call: Python itself refuses a name the table has not and a column without a default
    left out, naming the table and the column.
    """

    def __init__(self, db_table: str):
        model = _models_by_table().get(db_table)
        if model is None:
            raise LookupError(f"No model has the table {db_table}")
        self.model = model
        self.db_table = db_table
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or f.column == "id"]
        self.columns = tuple(f.column for f in fields)
        self.texts = _compile(db_table, fields)
        names = ", ".join(f'"{c}"' for c in self.columns)
        self.sql = f"COPY {db_table} ({names}) FROM STDIN"

    def line(self, values: dict) -> str:
        """One row as COPY text: `values` maps column names to Python values."""
        return "\t".join(self.texts(**values))

    def __repr__(self):
        return f"Table({self.db_table})"


_REQUIRED = object()  # a field without a default
_UNSET = object()  # a column the row does not name


def _compile(db_table: str, fields: list) -> Callable[..., tuple[str, ...]]:
    """The table's `texts(**values)` (see Table): keyword-only parameters named after the
    columns; a column not named takes its field's default, formatted once here. A whole
    number is formatted in place, a string with nothing to escape kept as it is and a naive
    datetime written as text() writes it (the most frequent values, without a call each); any
    other value goes through text()."""
    scope = {"_text": text, "_backslash": "\\", "_null": NULL, "_unset": _UNSET, "_dt": datetime}
    parameters, items = [], []
    for n, field in enumerate(fields):
        column = field.column
        if not column.isidentifier() or keyword.iskeyword(column) or column[0] == "_":
            raise LookupError(f"{db_table}.{column}: the loader cannot name this column")
        kind = getattr(field, "target_field", field)
        if isinstance(kind, IntegerField):
            value = f'f"{{{column}}}"'
        elif isinstance(kind, CharField | TextField):
            value = (
                f"({column} if {column}.isprintable() and _backslash not in {column} "
                f"else _text({column}))"
            )
        elif isinstance(kind, DateTimeField):  # naive UTC, as text() writes it
            value = (
                f'({column}.isoformat() + "+00" if {column}.__class__ is _dt '
                f"and {column}.tzinfo is None else _text({column}))"
            )
        else:
            value = None
        if value is None:
            value = f"_text({column})"
        elif field.null:
            value = f"(_null if {column} is None else {value})"
        default = _default(field)
        if default is _REQUIRED:
            parameters.append(column)
        else:
            scope[f"_default_{n}"] = text(default)
            parameters.append(f"{column}=_unset")
            value = f"(_default_{n} if {column} is _unset else {value})"
        items.append(value)
    source = f"def {db_table}(*, {', '.join(parameters)}):\n    return ({', '.join(items)},)\n"
    exec(source, scope)  # noqa: S102 (the source is built from the model's own column names)
    return scope[db_table]


def _default(field):
    """The value a column not named takes: the field's default, else NULL or "" where the
    field allows them; _REQUIRED when it has none."""
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    return _REQUIRED


class HistoryTable(Table):
    """simple_history's table of a model: the model's columns it keeps, then who and when."""

    HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")

    def __init__(self, main: Table):
        super().__init__(main.model.history.model._meta.db_table)
        sources = (*main.columns, *self.HISTORY_COLUMNS)
        missing = set(self.columns) - set(sources)
        if missing:
            raise LookupError(f"{self.db_table}: {sorted(missing)} are not {main.db_table}'s")
        # From (the main row's texts, then the four history values) to this table's order.
        self._order = itemgetter(*(sources.index(c) for c in self.columns))

    def created_line(self, texts: tuple[str, ...], at: datetime, user_id: int | None) -> str:
        """The '+' row written when the main row (its texts() values) was created at `at` by
        `user_id`."""
        return "\t".join(self._order((*texts, text(at), NULL, "+", text(user_id))))


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

    def add(self, table: Table, /, **values) -> None:
        """One row, its values by column name (the columns not named take their defaults)."""
        buffer = self._buffers.get(table)
        if buffer is None:
            buffer = self._buffers[table] = []
        buffer.append("\t".join(table.texts(**values)))
        if len(buffer) >= self.FLUSH_ROWS:
            self._send(table)

    def add_with_history(
        self, table: Table, history: HistoryTable, at: datetime, user_id: int | None, /, **values
    ) -> None:
        """A row and its '+' history row, formatting the values once."""
        texts = table.texts(**values)
        self._append(table, "\t".join(texts))
        self._append(history, history.created_line(texts, at, user_id))

    def _append(self, table: Table, line: str) -> None:
        buffer = self._buffers.get(table)
        if buffer is None:
            buffer = self._buffers[table] = []
        buffer.append(line)
        if len(buffer) >= self.FLUSH_ROWS:
            self._send(table)

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
