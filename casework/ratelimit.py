"""Fixed-window counters in the cache, for the citizens' pages and the public API (which must share one
count, so a client cannot double its allowance by switching between them).

With several web processes the cache must be shared (CACHE_URL, see settings); the local-memory default
suits one process. Identifiers are hashed: cache keys stay short and carry no address or reference."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/hour" -> (5, 3600), the notation of DRF's throttles."""
    count, period = rate.split("/")
    return int(count), _SECONDS[period.strip()[0]]


def _key(scope: str, ident: str) -> str:
    return f"rl:{scope}:{hashlib.sha256(ident.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def used(scope: str, ident: str) -> int:
    return int(cache.get(_key(scope, ident), 0))


def exhausted(scope: str, ident: str, rate: str) -> bool:
    return used(scope, ident) >= parse_rate(rate)[0]


def record(scope: str, ident: str, rate: str) -> None:
    key, window = _key(scope, ident), parse_rate(rate)[1]
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


def take(scope: str, ident: str, rate: str) -> bool:
    """Count one use; False (and nothing counted) once the window's allowance is spent."""
    if exhausted(scope, ident, rate):
        return False
    record(scope, ident, rate)
    return True
