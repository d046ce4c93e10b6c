"""What every subscription of a bill run chunk looks up alike, kept for the chunk.

The bill run opens the cache around the preparation of a chunk (:func:`chunk_cache`); the
code preparing one bill asks it with :func:`cached`, which computes the value once per
chunk, or every time outside a bill run.
"""

import contextlib

KEY = "telecom_bill_run_chunk"


@contextlib.contextmanager
def chunk_cache(env):
    env.cr.cache[KEY] = {}
    try:
        yield
    finally:
        env.cr.cache.pop(KEY, None)


def cached(env, key, compute):
    """``compute()``, kept under ``key`` while a chunk cache is open."""
    cache = env.cr.cache.get(KEY)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def in_chunk(env):
    """Whether a chunk cache is open (the bill run prepares a chunk)."""
    return env.cr.cache.get(KEY) is not None


def reset_chunk_cache(env, keep=None):
    """Forget what the open chunk cache holds (after a rollback, as at the chunk's start),
    but for the keys whose first part is ``keep``."""
    if in_chunk(env):
        cache = env.cr.cache[KEY]
        for key in list(cache):
            if not (isinstance(key, tuple) and key[0] == keep):
                del cache[key]
