"""Telecom tax engine interface.

A tax engine receives one customer, one service address and the charge lines of one invoice,
and returns the tax and regulatory fee lines to add. Engines are plain Python classes chosen
by a ``telecom.tax.engine`` record; they never write to the database.

Errors follow the connector split: :class:`TaxEngineUnavailable` means "try again later" (the
bill run keeps the subscription waiting, no invoice is created); :class:`TaxEngineError` means
the request itself is wrong (the subscription is logged in error). They are the suite's shared
adapter errors (``telecom_catalog/tools/adapter_errors.py``): ``TaxEngineUnavailable`` is an
``adapter_errors.RetryableError``, ``TaxEngineError`` an ``adapter_errors.PermanentError``
(neither is a subclass of the other, as before).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from odoo.addons.telecom_catalog.tools.adapter_errors import PermanentError, RetryableError


class TaxEngineError(PermanentError):
    """The engine refused the request: fix the data, then bill again."""


class TaxEngineUnavailable(RetryableError):
    """The engine could not be reached or answered with a server error: retry later."""


@dataclass
class TaxAddress:
    state: str = ""  # two-letter code, e.g. "CA"
    county: str = ""
    city: str = ""
    zip: str = ""
    country: str = "US"


@dataclass
class TaxRequestLine:
    ref: str  # identifies the charge line in the answer
    service_type: str  # catalog SERVICE_TYPES key of the plan (add-ons take their plan's)
    regulatory_class: str  # catalog REGULATORY_CLASSES key
    amount: Decimal  # signed amount of the charge
    lines: int = 0  # voice lines carried (911 fees are per line); 0 for non-voice charges
    address: TaxAddress = field(default_factory=TaxAddress)


@dataclass
class TaxRequest:
    customer_ref: str
    customer_type: str  # residential, business, government, lifeline, wholesale
    exemptions: list  # tax kinds the customer holds a valid exemption certificate for
    on_date: date
    currency: str
    lines: list  # of TaxRequestLine


@dataclass
class TaxResultLine:
    kind: str  # see TAX_KINDS in models/telecom_tax_rate.py
    name: str  # wording printed on the invoice
    amount: Decimal
    jurisdiction: str = ""  # e.g. "US", "CA", "CA/Sacramento"
    ref: str = ""  # charge line it was computed on ("" for per-invoice fees)
    rate_code: str = ""  # engine's own code for the rate, kept for audit
    # taxable base the amount was computed on (charges, plus the fees it taxes), signed
    base: Decimal = Decimal(0)
    refs: tuple = ()  # charge lines it was computed on (all taxable lines when empty)
    taxed_codes: tuple = ()  # rate codes of the fees this tax also taxes (tax on tax)
    level: str = ""  # federal, state, county, city, district (by its parts when empty)
    exempt: bool = False  # an exempt base (amount 0): the charges a certificate exempted


class TaxResults(list):
    """The :class:`TaxResultLine` list of a quote, with the engine's transaction id (empty
    for engines without transactions, such as the built-in tables)."""

    def __init__(self, lines=(), transaction_id=""):
        super().__init__(lines)
        self.transaction_id = transaction_id


class TaxEngineAdapter:
    """Interface every tax engine implements.

    The contract is the one of commercial telecom tax engines: ``compute`` quotes (the
    engine may answer a transaction id), ``commit`` records the quoted transaction as
    billed when the invoice posts, ``void`` cancels it, ``credit`` gives its taxes back for a
    credit note, and ``committed`` lists what the engine holds as billed (monthly
    reconciliation). Engines without transactions (built-in tables) do nothing there.
    """

    def compute(self, request):
        """Return the list of :class:`TaxResultLine` for ``request`` (a :class:`TaxRequest`).

        Raise :class:`TaxEngineUnavailable` when the engine cannot answer now and
        :class:`TaxEngineError` when it rejects the request.
        """
        raise NotImplementedError

    def ping(self):
        """Return True when the engine answers (used by the "Test connection" button)."""
        return True

    def commit(self, transaction_id, document, on_date):
        """Record the quoted transaction as billed on ``document`` (the invoice number)."""

    def void(self, transaction_id):
        """Cancel the transaction (invoice cancelled): its taxes are not reported."""

    def credit(self, transaction_id, document, on_date):
        """Give back the taxes of the committed transaction (credit note ``document``)."""

    def committed(self, date_from, date_to):
        """Transactions committed for invoices dated in the period:
        ``[{"id", "document", "tax" (Decimal)}]``."""
        return []
