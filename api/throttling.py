"""Throttle for the login endpoint: only failed attempts count, so a clerk who types the password
right is never locked out, while guessing is slowed down per client address."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class FailedLoginThrottle(SimpleRateThrottle):
    scope = "login"

    def get_rate(self) -> str | None:
        # Read at request time (not at import) so deployments and tests can change the setting.
        return getattr(settings, "API_LOGIN_THROTTLE_RATE", None)

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests or self.throttle_failure()

    def record_failure(self) -> None:
        if self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
