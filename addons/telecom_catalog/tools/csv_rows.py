"""Reading the suite's CSV imports row by row, so that one bad row never loses a file.

Every file importer (CDRs, interconnect trunk records and rate decks, number blocks, SIM
vendor files, migration extracts, payment files) reads its file with :class:`CsvRows`:

- the file is read in blocks (a file object is never loaded whole), split on any line end
  (``\\r\\n``, ``\\n`` or a lone ``\\r``, mixed in one file), a UTF-8 byte-order mark dropped;
- each line is decoded on its own: a line with bytes that are not UTF-8, or a NUL byte, or
  longer than :data:`MAX_LINE_BYTES`, becomes a rejected :class:`Row` with the reason, the
  other lines are read;
- a row is one line: a quote left open or misplaced (a stray quote, or a line break inside a
  quoted field) rejects that line only, and the lines after it are read as rows of their
  own, so that one stray quote never swallows the rows that follow;
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
import operator
import re
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
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
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
    :param required: column names the header must have (after ``aliases``); a set of
        names means "one of them"
    :param aliases: ``{name in the file: column}``
    :param what: how messages name the file ("The CDR file ...")

    ``header`` is the list of normalised column names, ``positions`` ``{column: index}``,
    ``header_line`` its line number; iterating yields :class:`Row`; ``count`` is the number
    of rows read (blank lines are not rows).

    The file is read a block at a time: a block of valid UTF-8 is decoded and parsed by the
    ``csv`` module in one go (strict: a quote left open or misplaced is an error of its
    line); only a block with a problem is looked at line by line.
    """

    def __init__(self, env, content, required=(), aliases=None, what=None):
        self.env = env
        self.what = what or env._("The file")
        self.stream = io.BytesIO(content) if isinstance(content, bytes | bytearray) else content
        self.count = 0
        self._pairs = {}
        self._blocks = self._read_blocks()
        self._pending = None
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
    # blocks of lines
    # ------------------------------------------------------------

    def _read_blocks(self):
        """``(number of the first line, [line texts], {line number: reason})`` of each block
        of whole lines; a line that cannot be read has a reason."""
        line_no, pending, skipping, first = 1, b"", False, True
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
            if skipping:  # the rest of an overlong line, dropped up to its end
                end = _LINE_END_BYTES.search(block)
                if not end:
                    if not block:
                        return
                    continue
                block, skipping = block[end.end() :], False
            data = pending + block
            if not block:
                if data:
                    yield self._decoded(line_no, data)
                return
            # whole lines up to the last line end; a final \r may be the first half of \r\n
            cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
            if cut:
                lines = self._decoded(line_no, data[:cut])
                line_no += len(lines[1])
                yield lines
            pending = data[cut:]
            if len(pending) > MAX_LINE_BYTES:
                reason = self.env._("the line is longer than %(size)s bytes", size=MAX_LINE_BYTES)
                yield line_no, [""], {line_no: reason}
                line_no += 1
                pending, skipping = b"", True

    def _decoded(self, line_no, data):
        """``(line_no, [line texts], {line number: reason})`` of ``data`` (whole lines)."""
        errors = {}
        try:
            text = data.decode()
        except UnicodeDecodeError:
            lines = []
            for offset, chunk in enumerate(_LINE_END_BYTES.split(data)):
                try:
                    lines.append(chunk.decode())
                except UnicodeDecodeError as error:
                    lines.append(chunk.decode(errors="surrogateescape"))
                    errors[line_no + offset] = self.env._(
                        "bytes that are not UTF-8 text at character %(pos)s", pos=error.start + 1
                    )
        else:
            lines = _LINE_END.split(text)
        if lines and lines[-1] == "" and data[-1:] in (b"\n", b"\r"):
            lines.pop()
        if "\x00" in (text if not errors else "\n".join(lines)):
            for offset, line in enumerate(lines):
                if "\x00" in line:
                    errors.setdefault(line_no + offset, self.env._("a NUL byte"))
        return line_no, lines, errors

    def _read_header(self, aliases):
        for first_no, lines, errors in self._blocks:
            for index, text in enumerate(lines):
                line_no = first_no + index
                if line_no in errors:
                    raise UserError(
                        self.env._(
                            "%(what)s cannot be read: its header (line %(line)s) has %(error)s.",
                            what=self.what,
                            line=line_no,
                            error=errors[line_no],
                        )
                    )
                if text.strip():
                    self.header_line = line_no
                    self._pending = (line_no + 1, lines[index + 1 :], errors)
                    names = [normalise_name(name) for name in next(csv.reader([text]))]
                    return [aliases.get(name, name) for name in names]
        raise UserError(
            self.env._("%(what)s is empty: it needs a header row and data rows.", what=self.what)
        )

    # ------------------------------------------------------------
    # rows
    # ------------------------------------------------------------

    def __iter__(self):
        if self._pending:
            pending, self._pending = self._pending, None
            yield from self._block_rows(*pending)
        for block in self._blocks:
            yield from self._block_rows(*block)

    def _block_rows(self, first_no, lines, errors):
        width, i, n = self.width, 0, len(lines)
        while i < n:
            base, problem = i, None
            reader = csv.reader(lines if not i else lines[i:], strict=True)
            try:
                for values in reader:
                    end = base + reader.line_num
                    if end - i > 1:  # a quote left open took the next lines: its line only
                        break
                    no = first_no + i
                    line = lines[i]
                    i = end
                    if errors and no in errors:
                        yield self._rejected(no, line, values, errors[no])
                    elif len(values) == width:
                        self.count += 1
                        yield Row(no, values, line)
                    elif values and (len(values) > 1 or values[0].strip()):
                        reason = self.env._(
                            "%(count)s columns; the header has %(width)s",
                            count=len(values),
                            width=width,
                        )
                        yield self._rejected(no, line, values, reason)
                else:
                    return
            except csv.Error as error:
                problem = str(error) if "field limit" in str(error) else None
            # the record starting on line i is not one line of CSV: that line is rejected
            no = first_no + i
            try:
                values = next(csv.reader([lines[i]]), [])
            except csv.Error:
                values = []
            reason = (
                errors.get(no)
                or problem
                or self.env._(
                    'a quote (") left open or misplaced (a stray quote, or a line break inside '
                    "a quoted field)"
                )
            )
            yield self._rejected(no, lines[i], values, reason)
            i += 1

    def _rejected(self, line_no, line, values, reason):
        self.count += 1
        values = [printable(value)[:200] for value in values]
        values += [""] * (self.width - len(values))
        reason = self.env._("Line %(line)s: %(reason)s.", line=line_no, reason=reason)
        return Row(line_no, values, line, reason)

    def record(self, row, columns):
        """``{column: stripped value}`` of ``row`` for ``columns`` ("" when absent)."""
        cached = self._pairs.get(id(columns))
        if cached is None or cached[0] is not columns:
            cached = self._pairs[id(columns)] = (
                columns, [(c, self.positions.get(c)) for c in columns])  # fmt: skip
        values = row.values
        return {c: values[i].strip() if i is not None else "" for c, i in cached[1]}

    def picker(self, columns):
        """A function giving the values of ``columns`` of a row, in that order, as a list
        ("" for a column the file does not have); faster than :meth:`record`."""
        present = [self.positions.get(c) for c in columns]
        if None not in present:
            get = operator.itemgetter(*present)
            return (lambda row: list(get(row.values))) if len(present) > 1 else (
                lambda row: [get(row.values)])  # fmt: skip
        return lambda row: [row.values[p] if p is not None else "" for p in present]
