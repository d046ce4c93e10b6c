"""One error vocabulary and one retry policy for adapters to external systems.

Network platforms (telecom_provisioning), NPAC/SOA vendors (telecom_numbers), tax engines
(telecom_billing) and 911 providers (telecom_regulatory) sit behind small adapter classes. They
all fail the same two ways, the split of OCA ``connector`` (``NetworkRetryableError`` vs
``InvalidDataError``) and OCA ``queue_job`` (``RetryableJobError`` vs ``FailedJobError``):

- :class:`RetryableError`: the call may succeed later, unchanged (connection refused, timeout,
  HTTP 5xx, HTTP 429); ``retry_after`` carries the remote's Retry-After (seconds) when it sent
  one;
- :class:`PermanentError`: the same call fails again until someone fixes data or
  configuration (request refused as invalid, authentication refused, unknown plan).

Each adapter family subclasses them and keeps its own names (``class NpacTransportError(NpacError,
RetryableError)``), so a caller may catch one family or, across families, :class:`AdapterError`.
A batch job catches these, never a bare ``Exception``.

:class:`RetryPolicy` says when to try again after a :class:`RetryableError`.

No ORM: usable from adapter worker threads.
"""

import random
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg2

from odoo.exceptions import UserError


class AdapterError(Exception):
    """A failed call to an external system.

    :param args: the message (``str(error)``), as for any exception
    :param code: the remote's error code when it sent one, else a transport code such as
        ``"timeout"``; ``None`` when unknown
    :param retry_after: seconds the remote asked to wait before trying again (HTTP 429/503
        Retry-After); ``None`` when it did not say
    """

    #: default classification: True for errors that may succeed if tried again later
    transient = False

    def __init__(self, *args, code=None, retry_after=None):
        super().__init__(*args)
        self.code = code
        self.retry_after = retry_after


class RetryableError(AdapterError):
    """Transient: the call may succeed if tried again later (see :class:`RetryPolicy`)."""

    transient = True


class PermanentError(AdapterError):
    """The call fails until data or configuration is fixed."""

    transient = False


@dataclass(frozen=True)
class RetryPolicy:
    """Seconds to wait before retry number ``attempt`` (1 = first retry).

    - without ``pattern``: exponential backoff, ``base_delay * 2 ** (attempt - 1)``;
    - with ``pattern`` (``{attempt: seconds}``, like OCA queue_job's ``retry_pattern``): the
      seconds of the largest key not above ``attempt`` (``base_delay`` below the first key),
      e.g. ``{1: 10, 5: 60, 10: 600}`` waits 10 s for retries 1-4, 60 s for 5-9, then 600 s;

    then capped at ``max_delay``, shortened by up to ``jitter`` (share 0 to 1, drawn at random
    for each retry so a wave of failures does not come back all at once), and never shorter
    than the remote's ``retry_after``.
    """

    base_delay: float = 30.0
    max_delay: float = 3600.0
    jitter: float = 0.25
    pattern: Mapping[int, float] | None = None

    def delay(self, attempt, retry_after=None):
        """Seconds before retry number ``attempt``, honouring ``retry_after`` (seconds)."""
        if self.pattern:
            seconds = self.base_delay
            for step, step_seconds in sorted(self.pattern.items()):
                if attempt < step:
                    break
                seconds = step_seconds
        else:
            seconds = self.base_delay * (2 ** max(attempt - 1, 0))
        seconds = min(self.max_delay, seconds)
        seconds *= 1.0 - self.jitter * random.random()  # jitter, not security
        if retry_after:
            seconds = max(seconds, float(retry_after))
        return seconds


# What one record of a batch can raise, and a batch job catches to log it on that record and go
# on with the others (as Odoo's ``_autopost_draft_entries`` does): a user or validation error, a
# database error of that record, an adapter's error. Anything else is a programming error and
# stops the batch.
RECORD_ERRORS = (UserError, psycopg2.Error, AdapterError)
