# Adapters to network platforms: plain Python, no ORM. A backend record builds an
# AdapterConfig and calls ``adapter_class(kind)(config).call(...)``.
from . import base
from . import rest
from . import soap
from .base import (
    AdapterConfig,
    AdapterResult,
    PermanentError,
    ProvisioningError,
    RetryableError,
    adapter_class,
    register_adapter,
)
