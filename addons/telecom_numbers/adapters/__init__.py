"""NPAC/SOA vendor adapters: plain Python classes, no ORM (see base.py)."""

from .base import (
    NpacAdapter,
    NpacError,
    NpacRequestError,
    NpacTransportError,
)
from .rest import RestNpacAdapter

ADAPTERS = {"rest": RestNpacAdapter}
