"""Hypothesis strategies for the importers' property tests: a file mixing valid rows with
malformed ones (arbitrary bytes, stray quotes, wrong column counts, bad values), with a
byte-order mark or not and any line ends, and a savepoint around each example.

Each importer's test gives its header, a pool of valid rows (each with a key it can find
after the import) and bad values per column; :func:`fuzz_file` draws the file. Malformed
lines never hold a line break (each is one row) and never start blank, so that the importer
must read exactly ``len(valid) + len(bad)`` rows and import exactly the valid ones.
"""

import contextlib

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# values no column of any importer accepts
BAD_VALUES = [
    "9" * 40,
    "-1",
    "1e400",
    "NaN",
    "x" * 300,
    "\x00",
    "\ufffd",
    "';DROP TABLE res_partner;--",
    '"',
]
LINE_ENDS = [b"\n", b"\r\n", b"\r"]


def _without_line_breaks(data):
    return data.replace(b"\n", b" ").replace(b"\r", b" ")


def garbage():
    """A line of arbitrary bytes (one row, never blank: it starts with ``#``)."""
    return st.binary(max_size=80).map(lambda data: b"#" + _without_line_breaks(data))


def mutated(valid_line, bad_values):
    """``valid_line`` (text, comma-separated, no quotes) made invalid: a column replaced by a
    value it cannot take (``bad_values``: {column index: [values]}, plus the generic ones), a
    column more or less, a stray quote, bytes that are not UTF-8."""
    fields = valid_line.split(",")

    def replace(choice):
        index, value = choice
        out = list(fields)
        out[index] = value.replace("\n", " ").replace("\r", " ")
        line = ",".join(out)
        return line.encode()

    columns = sorted(bad_values)
    replaced = st.sampled_from(columns).flatmap(
        lambda i: st.tuples(st.just(i), st.sampled_from(bad_values[i]))
    )
    return st.one_of(
        replaced.map(replace),
        st.just((valid_line + ",extra").encode()),
        st.just(",".join(fields[:-1]).encode()),
        st.just(('"' + valid_line).encode()),
        st.binary(min_size=1, max_size=4).map(
            lambda b: valid_line.encode() + b"\xff" + _without_line_breaks(b)
        ),
    )


@st.composite
def fuzz_file(draw, header, valid_pool, mutate_pool, bad_values):
    """``(content, valid keys, number of bad lines)``: a sample of ``valid_pool`` [(key,
    line)] and bad lines (garbage, or mutations of lines of ``mutate_pool`` — rows whose key
    is not in ``valid_pool``) shuffled, joined by random line ends."""
    valid = draw(st.lists(st.sampled_from(valid_pool), unique_by=lambda r: r[0], max_size=6))
    bad = draw(
        st.lists(
            st.one_of(garbage(), st.sampled_from(mutate_pool).flatmap(
                lambda line: mutated(line, bad_values))),
            max_size=6,
        )
    )  # fmt: skip
    lines = draw(st.permutations([line.encode() for _key, line in valid] + bad))
    ends = draw(st.lists(st.sampled_from(LINE_ENDS), min_size=len(lines) + 1,
                         max_size=len(lines) + 1))  # fmt: skip
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    content = bom + header.encode() + ends[0]
    content += b"".join(line + end for line, end in zip(lines, ends[1:], strict=True))
    return content, {key for key, _line in valid}, len(bad)


@contextlib.contextmanager
def rolled_back(env):
    """Run an example in a savepoint rolled back afterwards: examples do not see each other."""
    env.flush_all()
    env.cr.execute("SAVEPOINT fuzz_example")
    try:
        yield
    finally:
        env.invalidate_all()
        env.cr.execute("ROLLBACK TO SAVEPOINT fuzz_example")
        env.cr.execute("RELEASE SAVEPOINT fuzz_example")
