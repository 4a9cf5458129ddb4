"""API tokens with a lifetime, revoked with the password.

A token older than settings.API_TOKEN_MAX_AGE_HOURS is refused (401, code `token_expired`) and deleted;
signing in again issues a new one. Changing a user's password or deactivating them deletes their token
(`revoke_tokens_on_credential_change`, connected in ApiConfig.ready), as Django already ends their
sessions on a password change."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from casework.access import memberships_of, remember_memberships
from casework.prepared import PreparedQuery, fetch_together


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The token has expired: sign in again for a new one.")
    default_code = "token_expired"


def token_max_age() -> timedelta | None:
    hours = getattr(settings, "API_TOKEN_MAX_AGE_HOURS", 0)
    return timedelta(hours=hours) if hours else None


def is_expired(token: Token) -> bool:
    max_age = token_max_age()
    return max_age is not None and token.created < timezone.now() - max_age


def issue_token(user) -> Token:
    """The user's token, a fresh one if theirs has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and is_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


# Every API request looks its token up; building that queryset (a join with the user's columns) cost
# several times what running it does, so it is compiled once per connection. It still runs on every
# request (nothing is cached between requests, so a deleted token is refused at once).
_TOKEN_WITH_USER = PreparedQuery(
    lambda key: Token.objects.select_related("user").filter(key=key), key_type=str
)
# The memberships of the token's user (nearly every API request reads them, by the user's id, right
# after), read in the same round trip as the token (casework.prepared.fetch_together).
_MEMBERSHIPS_OF_TOKEN = PreparedQuery(
    lambda key: memberships_of(Subquery(Token.objects.filter(key=key).values("user_id"))), key_type=str
)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's checks and messages, with the one-statement lookup.
        found, held = fetch_together([_TOKEN_WITH_USER.statement(key), _MEMBERSHIPS_OF_TOKEN.statement(key)])
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = found[0]
        remember_memberships(token.user, held)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if is_expired(token):
            token.delete()
            raise TokenExpired()
        return token.user, token


def revoke_tokens_on_credential_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of the user model: a new password or a deactivation deletes the user's API token."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in: no extra query
    before = type(instance).objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()
