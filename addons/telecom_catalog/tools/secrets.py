"""Customer secrets (CPNI password, back-up answer, port-out PIN) are stored as salted hashes
only: they are checked, never read back. The few the suite must send on in clear are encrypted
at rest (:func:`encrypt_secret`)."""

import base64
import hashlib

from passlib.context import CryptContext

_secret_context = CryptContext(["pbkdf2_sha512"])


def hash_secret(secret):
    """Salted hash of ``secret`` (a non-empty string) to store."""
    return _secret_context.hash(secret)


def verify_secret(secret, hashed):
    """Whether ``secret`` is the one ``hashed`` was made from (False when either is empty)."""
    return bool(secret and hashed and _secret_context.verify(secret, hashed))


# Secrets the suite must send on in clear (the PIN a customer gives to port a number in, which
# the NPAC/SOA vendor checks with the losing carrier) cannot be hashed: they are encrypted at
# rest. The key is the server's ``telecom_secret_key`` option (odoo.conf; a Fernet key), so a
# database dump alone does not reveal them; without the option it is derived from the
# database's own secret (``database.secret``), which still keeps them out of reads, exports
# and logs of the table.
ENCRYPTED_PREFIX = "fernet:"


def _fernet(env):
    from cryptography.fernet import Fernet

    from odoo.tools import config

    key = config.get("telecom_secret_key")
    if not key:
        seed = env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        digest = hashlib.sha256(f"telecom-secrets:{seed}".encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def encrypt_secret(env, secret):
    """``secret`` encrypted for storage (False for an empty secret)."""
    if not secret:
        return False
    return ENCRYPTED_PREFIX + _fernet(env).encrypt(secret.encode()).decode()


def decrypt_secret(env, stored):
    """The secret ``encrypt_secret`` stored (False when nothing is stored)."""
    if not stored:
        return False
    return _fernet(env).decrypt(stored.removeprefix(ENCRYPTED_PREFIX).encode()).decode()
