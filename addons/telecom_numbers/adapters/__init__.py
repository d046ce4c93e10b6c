"""NPAC/SOA vendor adapters: plain Python classes, no Odoo imports (see base.py)."""

from .base import (
    NpacAdapter,
    NpacError,
    NpacRequestError,
    NpacTransportError,
)
from .rest import RestNpacAdapter

ADAPTERS = {"rest": RestNpacAdapter}
