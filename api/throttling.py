"""Throttles of the API. Every one is keyed on casework.security.client_ip (the socket address unless a
trusted proxy forwarded the request), never on a header the client writes itself.

The login endpoint counts only failed attempts, so a clerk who types the password right is never
slowed down, while guessing is limited twice: per client address and per account. Rotating addresses
(or a botnet) cannot buy fresh guesses at one account, and one address cannot spray many accounts."""

from __future__ import annotations

import hashlib

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from casework.security import client_ip


class ClientAddressMixin:
    """DRF's own get_ident trusts X-Forwarded-For as far as NUM_PROXIES says; this trusts only the
    proxies named in settings.TRUSTED_PROXIES, like every other place that needs the client's address."""

    def get_ident(self, request) -> str:
        return client_ip(request)


class ClientAnonRateThrottle(ClientAddressMixin, AnonRateThrottle):
    pass


class FailedLoginThrottle(ClientAddressMixin, SimpleRateThrottle):
    scope = "login"

    def get_rate(self) -> str | None:
        # Read at request time (not at import) so deployments and tests can change the setting.
        return getattr(settings, "API_LOGIN_THROTTLE_RATE", None)

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.histories: dict[str, list[float]] = {}

    def _key(self, kind: str, ident: str) -> str:
        return self.cache_format % {"scope": f"{self.scope}-{kind}", "ident": ident}

    def keys(self, request) -> list[str]:
        keys = [self._key("client", self.get_ident(request))]
        data = request.data  # an unreadable body raises its 400 (parse_error) or 415 here
        username = data.get("username") if isinstance(data, dict) else None
        if isinstance(username, str) and username:
            # Hashed: cache keys must be short and plain, usernames need not be.
            digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            keys.append(self._key("account", digest))
        return keys

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.now = self.timer()
        self.histories = {}
        for key in self.keys(request):
            history = [t for t in self.cache.get(key, []) if t > self.now - self.duration]
            self.histories[key] = history
        if all(len(h) < self.num_requests for h in self.histories.values()):
            return True
        return self.throttle_failure()

    def wait(self) -> float | None:
        # Until enough failures leave the window of every exhausted counter (newest first in each).
        waits = [
            self.duration - (self.now - h[self.num_requests - 1])
            for h in self.histories.values()
            if len(h) >= self.num_requests
        ]
        return max(waits) if waits else None

    def record_failure(self) -> None:
        if self.rate is None:
            return
        for key, history in self.histories.items():
            history.insert(0, self.now)
            self.cache.set(key, history, self.duration)
