"""Customer secrets (CPNI password, back-up answer, port-out PIN) are stored as salted hashes
only: they are checked, never read back."""

from passlib.context import CryptContext

_secret_context = CryptContext(["pbkdf2_sha512"])


def hash_secret(secret):
    """Salted hash of ``secret`` (a non-empty string) to store."""
    return _secret_context.hash(secret)


def verify_secret(secret, hashed):
    """Whether ``secret`` is the one ``hashed`` was made from (False when either is empty)."""
    return bool(secret and hashed and _secret_context.verify(secret, hashed))
