"""Tables written as CSV or XLSX. Every cell passes through `neutralise` first, so no text a
person typed (a place, a name) can run as a spreadsheet formula when the file is opened."""

import csv
import io

from openpyxl import Workbook

from apps.reports.tables import Table, plain

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return can hide one behind white space.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """The cell as it is safe to write: text that starts like a formula gets a leading
    apostrophe (shown as text, never run); numbers, dates and empty cells are unchanged."""
    value = plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_rows(table: Table):
    """Header, then rows, then the total row if any, every cell neutralised."""
    yield [neutralise(header) for header in table.headers]
    for row in table.rows:
        yield [neutralise(cell) for cell in row]
    if table.footer:
        yield [neutralise(cell) for cell in table.footer]


class _Echo:
    def write(self, value):
        return value


def csv_lines(table: Table):
    """The table as CSV, line by line (for a streaming response), with a byte-order mark so
    Excel reads it as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in table_rows(table):
        yield writer.writerow(["" if cell is None else cell for cell in row])


def csv_bytes(table: Table) -> bytes:
    return "".join(csv_lines(table)).encode("utf-8")


def xlsx_bytes(table: Table, *, on_row=None) -> bytes:
    """The table as an Excel workbook of one sheet. `on_row(n)` is called every 500 rows
    (the background export reports its progress with it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    for number, row in enumerate(table_rows(table)):
        sheet.append(row)
        if on_row and number and number % 500 == 0:
            on_row(number)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, file_format: str, *, on_row=None) -> bytes:
    if file_format == "xlsx":
        return xlsx_bytes(table, on_row=on_row)
    return csv_bytes(table)


def filename(table: Table, file_format: str, stamp: str) -> str:
    return f"homeward-{table.slug}-{stamp}.{file_format}"
