"""The ops CSV of visits: the upload form, and the file read as a stream of lines.

A till's export can be 100,000 lines, so the file is never read whole:
`csv_problem` scans it once in small blocks (is it UTF-8 text, are the
columns there), then `csv_lines` yields one line at a time to the service,
which stores them in chunks. Both take a binary file object that can seek
(a path opened "rb", or Django's uploaded file).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REQUIRED_COLUMNS = ("visited_on", "amount", "location", "external_id")
IDENTIFIER_COLUMNS = ("phone", "email", "card")
BLOCK = 64 * 1024


def _delimiter(header: str) -> str:
    """Comma, or a semicolon when the header has those only (spreadsheets in many locales write them)."""
    return ";" if ";" in header and "," not in header else ","


def _header_of(raw) -> str:
    raw.seek(0)
    first = raw.readline(BLOCK)
    return first.decode("utf-8-sig").strip()


def csv_problem(raw) -> str | None:
    """What makes the file unreadable as a visits CSV (the encoding, the columns), or None.

    Scans the whole file in blocks (memory stays small whatever its size) and
    leaves it at its start.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    raw.seek(0)
    line = 1
    block = b""
    try:
        while block := raw.read(BLOCK):
            line += decoder.decode(block).count("\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        line += block[: error.start].count(b"\n")
        raw.seek(0)
        return gettext("The file is not UTF-8 text (near line %(line)d): save it as “CSV UTF-8” and try again.") % {
            "line": line
        }
    header = _header_of(raw)
    raw.seek(0)
    if not header:
        return gettext("The file is empty: the first line must name the columns.")
    columns = {name.strip().lower() for name in next(csv.reader([header], delimiter=_delimiter(header)))}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if not columns & set(IDENTIFIER_COLUMNS):
        missing.append(" / ".join(IDENTIFIER_COLUMNS))
    if missing:
        return gettext("Missing columns: %(missing)s. The first line must name: %(expected)s.") % {
            "missing": ", ".join(missing),
            "expected": ", ".join((*REQUIRED_COLUMNS, "phone | email | card")),
        }
    return None


def csv_lines(raw) -> Iterator[tuple[int, dict]]:
    """(line number in the file, its values by column) for every data line, streamed; the header is line 1."""
    delimiter = _delimiter(_header_of(raw))
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text, delimiter=delimiter)
        reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue  # a blank line (spreadsheets end files with some)
            yield reader.line_num, {key: value for key, value in row.items() if key is not None}
    finally:
        text.detach()  # leave the caller's file open


class VisitImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8; columns visited_on, amount, location, external_id and phone, email or card."),
        error_messages={"required": _("CSV file: choose the file to import."), "empty": _("CSV file: it is empty.")},
    )
    dry_run = forms.BooleanField(label=_("Dry run: check every line, store nothing"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = csv_problem(upload.file)
        if problem:
            raise forms.ValidationError(gettext("CSV file: %(problem)s") % {"problem": problem})
        return upload
