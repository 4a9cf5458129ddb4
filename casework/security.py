"""Refuse to run a production deployment that still has the demo logins with their demo password or the
public development secret key; and the client's address, believing forwarded headers only from the
reverse proxies the deployment names.

Imported by the settings (for DEFAULT_SECRET_KEY), so nothing here may touch models at import time."""

import ipaddress
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

# The development default is public on purpose; config.settings.prod and `check --deploy` refuse it.
DEFAULT_SECRET_KEY = "dev-insecure-change-me-tiepdan"

DEMO_USERNAMES = ("reception", "handler", "head", "p_handler", "p_head", "monitor", "admin")
DEMO_PASSWORD = "demo"


def demo_users_with_demo_password() -> list[str]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True)
    return [u.username for u in users if u.check_password(DEMO_PASSWORD)]


def assert_no_demo_credentials() -> None:
    found = demo_users_with_demo_password()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: demo logins still use the demo password: "
            + ", ".join(found)
            + ". Change or deactivate them (manage.py changepassword / admin) before running in production."
        )


# --- The client's address ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` is one of settings.TRUSTED_PROXIES (addresses or networks)."""
    from django.conf import settings

    entries = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if not entries:  # the default: no proxy, and every request asks (config.middleware)
        return False
    trusted = _networks(tuple(entries))
    peer = _address(address)
    return bool(trusted) and peer is not None and any(peer in net for net in trusted)


def client_ip(request) -> str:
    """The address of whoever sent the request.

    X-Forwarded-For is written by anyone, so it is read only when the socket peer is one of
    settings.TRUSTED_PROXIES (addresses or networks; none by default). Then the header is walked from
    the right, skipping the trusted proxies, and the first address they did not add is the client. Login
    throttles and lockouts are keyed on this, so a rotating header cannot buy fresh attempts."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(remote):
        return remote
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a malformed hop: nothing left of it can be trusted
        if not any(address in net for net in trusted):
            return str(address)
    return str(_address(hops[0])) if hops else remote
