"""Parsing and matching helpers for legacy extracts (plain Python, no ORM)."""

import re
import unicodedata
from datetime import date
from decimal import Decimal

import phonenumbers

from odoo.addons.telecom_catalog.tools.csv_rows import shown, to_decimal
from odoo.addons.telecom_numbers.tools.e164 import normalize_e164

CENT = Decimal("0.01")


class RowError(ValueError):
    """A legacy row that cannot be migrated: its reason goes to the report."""


def amount(value, what):
    """``value`` in cents; at most 14 digits before the point (the amount columns)."""
    try:
        return to_decimal(value, what, low=None, default="0").quantize(CENT)
    except ValueError as error:
        raise RowError(str(error)) from None


def to_date(value, what):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise RowError(f"{what} {shown(value or '')} is not a date (YYYY-MM-DD)") from None


def optional_date(value, what):
    return to_date(value, what) if (value or "").strip() else None


def phone_key(value):
    """E.164 form of a phone number as the legacy system wrote it (any US layout), or ''."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return normalize_e164(value) or ""
    if not phonenumbers.is_possible_number(parsed):
        return normalize_e164(value) or ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def text_key(value):
    """Case, accents, punctuation and company suffixes removed: 'ACME Plumbing, Inc.' and
    'Acme plumbing' compare equal."""
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w for w in words if w not in {"inc", "llc", "ltd", "corp", "co"})


def email_key(value):
    return (value or "").strip().lower()


STREET_WORDS = {"street": "st", "road": "rd", "avenue": "ave", "lane": "ln", "drive": "dr"}


def address_key(street, zip_code):
    """Street with common abbreviations and the 5-digit ZIP: '12 Oak Street, 95814' equals
    '12 oak st, 95814-1234'."""
    words = [STREET_WORDS.get(w, w) for w in text_key(street).split()]
    zip5 = (zip_code or "").strip()[:5]
    return f"{' '.join(words)}|{zip5}" if words and zip5 else ""
