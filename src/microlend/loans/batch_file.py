"""A bank file of repayments as text: its rows, the lines a bank's result file marks as failed,
and the file's line numbers in a refusal of the lines posted.

A file is UTF-8 CSV with a header; the columns read are ``COLUMNS`` and an optional ``status``
(a bank's auto-debit result file, 代扣回盘, says per line whether the debit succeeded). A line
whose status is given and is not a success word is not posted. Line numbers count the rows after
the header, as ``batch.repay_batch`` numbers the items it is given.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from microlend.kernel.errors import DomainError, ValidationFailed

COLUMNS = ("loan_number", "amount", "value_date", "channel", "external_reference")
STATUS = "status"
SUCCESS_WORDS = frozenset({"success", "ok", "成功"})
MAX_LINES = 5_000  # a file the web import or the API takes
_LINE_NOTE = re.compile(r"line (\d+)")


def rows_of(text: str, *, limit: int | None = None) -> list[dict[str, str]]:
    """The rows of CSV ``text`` (a leading byte-order mark ignored; header names in any case),
    each with the ``COLUMNS`` and ``status`` the header has, values stripped; at most ``limit``
    rows."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = {"loan_number", "amount"} - set(header)
        if missing:
            raise ValidationFailed(
                "the header lacks %(missing)s",
                field="file",
                params={"missing": ", ".join(sorted(missing))},
            )
        wanted = [(i, name) for i, name in enumerate(header) if name in (*COLUMNS, STATUS)]
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is no line
            if limit is not None and len(rows) == limit:
                raise ValidationFailed(
                    "at most %(limit)s lines in a file", field="file", params={"limit": limit}
                )
            rows.append({name: (cells[i] if i < len(cells) else "").strip() for i, name in wanted})
    except csv.Error as error:
        raise ValidationFailed(
            "not a CSV file (%(problem)s)", field="file", params={"problem": str(error)}
        ) from None
    return rows


def succeeded(row: Mapping[str, str]) -> bool:
    """Whether the line is to be posted: no status, or a success word (any case)."""
    status = (row.get(STATUS) or "").strip()
    return not status or status.casefold() in SUCCESS_WORDS


def text_of(rows: Iterable[Mapping[str, str]]) -> str:
    """``rows`` as CSV text that ``rows_of`` reads back as they are (``COLUMNS`` and status)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow((*COLUMNS, STATUS))
    for row in rows:
        writer.writerow([row.get(name, "") for name in (*COLUMNS, STATUS)])
    return out.getvalue()


def no_reference() -> ValidationFailed:
    """The refusal of a line without the bank's reference."""
    return ValidationFailed(
        "give the bank's reference: without one, a file sent twice is paid twice",
        field="external_reference",
    )


def require_references(rows: Sequence[Mapping[str, str]], numbers: Sequence[int]) -> None:
    """Every line of a bank file names the bank's reference (a file imported again then posts
    nothing new): the first without one is refused, named by its number in ``numbers``."""
    for number, row in zip(numbers, rows, strict=True):
        if not (row.get("external_reference") or "").strip():
            error = no_reference()
            named(error, number)
            raise error


def named(error: DomainError, number: int) -> None:
    """Name line ``number`` as the one refused: in ``error``'s notes (``line N``) and in its
    ``extra`` (the API's problem member ``line``)."""
    error.add_note(f"line {number}")
    error.extra["line"] = number


def refused_line(error: BaseException) -> int | None:
    """The line a refusal of ``repay_batch`` names in its notes (``line N``), if any."""
    for note in getattr(error, "__notes__", ()):
        match = _LINE_NOTE.fullmatch(note)
        if match:
            return int(match.group(1))
    return None


def renumber(error: DomainError, numbers: Sequence[int]) -> None:
    """Name the file's line in ``error``, the lines posted being the file's ``numbers``
    (``repay_batch`` numbered them 1, 2... when skipped lines were left out)."""
    notes: list[str] = getattr(error, "__notes__", [])
    for i, note in enumerate(notes):
        match = _LINE_NOTE.fullmatch(note)
        if match and 0 < int(match.group(1)) <= len(numbers):
            notes[i] = f"line {numbers[int(match.group(1)) - 1]}"
    line = refused_line(error)
    if line is not None:
        error.extra["line"] = line
    first = error.extra.get("first_line")  # a reference repeated in the file
    if isinstance(first, int) and 0 < first <= len(numbers):
        error.extra["first_line"] = numbers[first - 1]
