"""Reading the suite's CSV imports row by row, so that one bad row never loses a file.

Every file importer (CDRs, interconnect trunk records and rate decks, number blocks, SIM
vendor files, migration extracts, payment files) reads its file with :class:`CsvRows`:

- the file is read in blocks (a file object is never loaded whole), split on any line end
  (``\\r\\n``, ``\\n`` or a lone ``\\r``, mixed in one file), a UTF-8 byte-order mark dropped;
- each line is decoded on its own: a line with bytes that are not UTF-8, or a NUL byte, or
  longer than :data:`MAX_LINE_BYTES`, becomes a rejected :class:`Row` with the reason, the
  other lines are read;
- a row is one line: a quote left open at the end of a line (a stray quote, or a line
  break inside a quoted field) rejects that line only, and the lines after it are read
  as rows of their own, so that one stray quote never swallows the rows that follow;
- a row with another number of columns than the header is rejected with both counts;
- what cannot be imported at all is refused up front with a :class:`UserError` saying what
  to fix: an empty file, a UTF-16 file, an unreadable header, a header without the required
  columns. A header-only file has no rows.

Values shown in reasons go through :func:`shown` (control characters and undecodable bytes
escaped, truncated). :func:`to_int`, :func:`to_decimal` and :func:`to_text` convert a value
or raise :class:`ValueError` with a reason naming the column, with the bounds of the column
the value is going to (PostgreSQL ``integer``, ``numeric(p, s)``, ``varchar(n)``).

:func:`copy_rows` streams checked rows to PostgreSQL ``COPY`` by chunks, so that the memory
an import needs does not grow with the file.

Plain Python apart from the translated messages (``env._``) and ``COPY``: no ORM.
"""

import csv
import io
import re
from collections import deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from odoo.exceptions import UserError

BLOCK_BYTES = 1 << 20
MAX_LINE_BYTES = 1 << 20
INT_MAX = 2**31 - 1
COPY_CHUNK_ROWS = 100_000
SHOWN_CHARS = 60
RAW_CHARS = 2000

_LINE_END = re.compile(r"\r\n|\r|\n")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_INTEGER = re.compile(r"[-+]?[0-9]{1,19}")


def _escape(match):
    char = match.group()
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\x{code:02x}"


def printable(text):
    """``text`` with control characters and undecodable bytes written ``\\xNN``: safe to
    store, to show and to send to PostgreSQL."""
    return _UNSAFE.sub(_escape, text)


def shown(value, limit=SHOWN_CHARS):
    """A value as a reason quotes it: printable, truncated to ``limit`` characters."""
    text = printable(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")


def to_int(value, column, low=0, high=INT_MAX, default=None):
    """``value`` (text) as an integer between ``low`` and ``high``; empty: ``default``."""
    text = (value or "").strip()
    if not text and default is not None:
        return default
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"{column} {shown(text)} is not a whole number")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{column} {shown(text)} is not between {low} and {high}")
    return number


def to_decimal(value, column, digits=(16, 2), low=0, default=None):
    """``value`` as a Decimal that fits ``numeric(digits)`` (at most ``digits[0] - digits[1]``
    digits before the point, rounded to ``digits[1]`` decimals by the caller) and is at least
    ``low`` (None: no lower bound); empty: ``default``."""
    text = (value or "").strip()
    if not text and default is not None:
        return Decimal(default)
    try:
        number = Decimal(text) if len(text) <= 40 else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{column} {shown(text)} is not a number")
    whole = digits[0] - digits[1]
    if abs(number) >= Decimal(10) ** whole:
        raise ValueError(f"{column} {shown(text)} has more than {whole} digits before the point")
    if low is not None and number < low:
        raise ValueError(f"{column} {shown(text)} is below {low}")
    return number


def to_text(value, column, size=None, required=False):
    """``value`` stripped; at most ``size`` characters; not empty when ``required``."""
    text = (value or "").strip()
    if required and not text:
        raise ValueError(f"missing {column}")
    if size and len(text) > size:
        raise ValueError(f"{column} {shown(text)} is longer than {size} characters")
    return text


@dataclass(slots=True)
class Row:
    """One row of a file: its first line number, its values (in file order; printable when
    the row is rejected), the text it was read from (``printable(raw)`` to store it for
    correction) and, when it cannot be read, the reason."""

    line_no: int
    values: list
    raw: str
    reason: str | None = None


def csv_line(values):
    """One CSV line of ``values`` (printable): the row as a reject keeps it to be corrected."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([printable(str(v or "")) for v in values])
    return buffer.getvalue()[:RAW_CHARS]


def copy_rows(cr, statement, rows, chunk=COPY_CHUNK_ROWS):
    """Run ``statement`` (``COPY ... FROM STDIN WITH (FORMAT csv ...)``) over ``rows``
    (lists of values), ``chunk`` rows at a time. Returns the number of rows."""
    count = 0
    while True:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        taken = 0
        for row in rows:
            writer.writerow(row)
            taken += 1
            if taken == chunk:
                break
        if taken:
            buffer.seek(0)
            cr.copy_expert(statement, buffer)
            count += taken
        if taken < chunk:
            return count


def normalise_name(name):
    return name.strip().lower().replace(" ", "_").replace("-", "_")


class CsvRows:
    """The rows of a CSV file (bytes or a binary file object) after its header.

    :param env: for the translated messages of refused files
    :param content: ``bytes`` or a readable binary file object
    :param required: column names the header must have (after ``aliases``); a tuple of
        names in a set means "one of them"
    :param aliases: ``{name in the file: column}``
    :param what: how messages name the file ("The CDR file ...")

    ``header`` is the list of normalised column names, ``positions`` ``{column: index}``;
    ``header_line`` its line number; iterating yields :class:`Row`; ``count`` is the number
    of rows read (blank lines are not rows).
    """

    def __init__(self, env, content, required=(), aliases=None, what=None):
        self.env = env
        self.what = what or env._("The file")
        self.stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
        self.count = 0
        self._lines = self._physical_lines()
        self._pushback = deque()
        self._taken = []
        self.header = self._read_header(aliases or {})
        self.width = len(self.header)
        self.positions = {}
        for index, name in enumerate(self.header):
            self.positions.setdefault(name, index)
        missing = [
            " or ".join(sorted(c)) if isinstance(c, set | frozenset) else c
            for c in required
            if not (set(c) if isinstance(c, set | frozenset) else {c}) & set(self.positions)
        ]
        if missing:
            raise UserError(
                env._(
                    "%(what)s lacks the column(s) %(missing)s; its header is: %(header)s.",
                    what=self.what,
                    missing=", ".join(missing),
                    header=shown(",".join(self.header), 200),
                )
            )

    # ------------------------------------------------------------
    # physical lines
    # ------------------------------------------------------------

    def _physical_lines(self):
        """``(line number, text or None)`` of each line; None: the line cannot be read (the
        reason is in ``self._line_errors``)."""
        self._line_errors = {}
        line_no, pending, skipping, first = 0, b"", False, True
        while True:
            block = self.stream.read(BLOCK_BYTES)
            if first:
                first = False
                if block.startswith(_UTF16_BOMS):
                    raise UserError(
                        self.env._(
                            "%(what)s is UTF-16 text; save it as CSV UTF-8 and import it again.",
                            what=self.what,
                        )
                    )
                block = block.removeprefix(b"\xef\xbb\xbf")
            data = pending + block
            if not block:
                if data and not skipping:
                    line_no += 1
                    yield self._decoded(line_no, data)
                return
            # a final \r may be the first half of \r\n: kept for the next block
            end = len(data) - 1 if data.endswith(b"\r") else len(data)
            text = data[:end].decode("latin-1")  # 1 byte = 1 char: positions match bytes
            start = 0
            for match in _LINE_END.finditer(text):
                line_no += 1
                if skipping:
                    skipping = False
                else:
                    yield self._decoded(line_no, data[start : match.start()])
                start = match.end()
            pending = data[start:]
            if len(pending) > MAX_LINE_BYTES:
                if not skipping:
                    self._line_errors[line_no + 1] = self.env._(
                        "the line is longer than %(size)s bytes", size=MAX_LINE_BYTES
                    )
                    yield line_no + 1, None
                pending, skipping = b"", True

    def _decoded(self, line_no, data):
        try:
            text = data.decode()
        except UnicodeDecodeError as error:
            text = data.decode(errors="surrogateescape")
            self._line_errors[line_no] = self.env._(
                "bytes that are not UTF-8 text at character %(pos)s",
                pos=error.start + 1,
            )
        if "\x00" in text:
            self._line_errors.setdefault(line_no, self.env._("a NUL byte"))
        return line_no, text

    def _feed(self):
        """Lines for the csv reader, remembered in ``_taken`` until the row is done."""
        while True:
            if self._pushback:
                item = self._pushback.popleft()
            else:
                item = next(self._lines, None)
                if item is None:
                    return
            self._taken.append(item)
            yield "" if item[1] is None else item[1] + "\n"

    # ------------------------------------------------------------
    # rows
    # ------------------------------------------------------------

    def _read_header(self, aliases):
        for line_no, text in self._lines:
            if line_no in self._line_errors:
                raise UserError(
                    self.env._(
                        "%(what)s cannot be read: its header (line %(line)s) has %(error)s.",
                        what=self.what,
                        line=line_no,
                        error=self._line_errors[line_no],
                    )
                )
            if text.strip():
                self.header_line = line_no
                names = [normalise_name(name) for name in next(csv.reader([text]))]
                return [aliases.get(name, name) for name in names]
        raise UserError(
            self.env._("%(what)s is empty: it needs a header row and data rows.", what=self.what)
        )

    def __iter__(self):
        reader = csv.reader(self._feed())
        while True:
            self._taken = []
            try:
                values = next(reader, None)
                error = None
            except csv.Error as exc:  # a field larger than the csv module's limit
                values, error = [], str(exc)
                reader = csv.reader(self._feed())
            if values is None:
                if not self._taken:
                    return
                values = []
            taken = self._taken
            if len(taken) > 1:
                # a quote left open: its own line is rejected, the lines after it read again
                self._pushback.extendleft(reversed(taken[1:]))
                reader = csv.reader(self._feed())  # the old one may have seen the end
                taken = taken[:1]
                values = next(csv.reader([taken[0][1] or ""]), [])
                error = self.env._(
                    'a quote (") left open at the end of the line (a stray quote, or a line '
                    "break inside a quoted field)"
                )
            blank = not values or (len(values) == 1 and not values[0].strip())
            if blank and not error and not any(no in self._line_errors for no, _t in taken):
                continue
            yield self._row(taken, values, error)

    def _row(self, taken, values, error):
        self.count += 1
        line_no = taken[0][0]
        raw = taken[0][1] or ""
        reason = next(
            (self._line_errors.pop(no) for no, _text in taken if no in self._line_errors), None
        )
        if error and not reason:
            reason = error
        if not reason and len(values) != self.width:
            reason = self.env._(
                "%(count)s columns; the header has %(width)s", count=len(values), width=self.width
            )
        if reason:
            reason = self.env._("Line %(line)s: %(reason)s.", line=line_no, reason=reason)
            values = [printable(value)[:200] for value in values]
            values += [""] * (self.width - len(values))
        return Row(line_no, values, raw, reason)

    def record(self, row, columns):
        """``{column: stripped value}`` of ``row`` for ``columns`` ("" when absent)."""
        values, positions = row.values, self.positions
        return {
            c: (values[positions[c]].strip() if c in positions and positions[c] < len(values)
                else "")
            for c in columns
        }  # fmt: skip
