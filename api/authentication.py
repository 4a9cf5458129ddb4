"""API tokens with a lifetime, revoked with the password.

A token older than settings.API_TOKEN_MAX_AGE_HOURS is refused (401, code `token_expired`) and deleted;
signing in again issues a new one. Changing a user's password or deactivating them deletes their token
(`revoke_tokens_on_credential_change`, connected in ApiConfig.ready), as Django already ends their
sessions on a password change."""

from __future__ import annotations

import weakref
from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


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


class _TokenLookup:
    """The token and its user in one statement, compiled once per database connection: every API
    request looks its token up, and building that queryset (a join with the user's columns) cost
    several times what running it does. Same SQL, rows and instances as DRF's
    `Token.objects.select_related("user").get(key=key)`, run on every request (nothing is cached
    between requests, so a deleted token is refused at once)."""

    _PLACEHOLDER = "\x00token-key-placeholder"

    def __init__(self):
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compile(self, alias: str):
        queryset = Token.objects.using(alias).select_related("user").filter(key=self._PLACEHOLDER)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slot = list(params).index(self._PLACEHOLDER)
        select, info = compiler.select, compiler.klass_info
        (user_info,) = info["related_klass_infos"]

        def part(klass_info):
            fields = klass_info["select_fields"]
            names = [select[i][0].target.attname for i in fields]
            return klass_info["model"], fields[0], fields[-1] + 1, names

        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        return sql, list(params), slot, compiler, converters, part(info), part(user_info)

    def __call__(self, key: str) -> Token | None:
        alias = router.db_for_read(Token)
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(alias)
        sql, params, slot, compiler, converters, token_part, user_part = compiled
        params = list(params)
        params[slot] = key
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        row = rows[0]
        model, start, end, names = token_part
        token = model.from_db(alias, names, row[start:end])
        model, start, end, names = user_part
        user = model.from_db(alias, names, row[start:end])
        Token.user.field.set_cached_value(token, user)
        return token


_token_lookup = _TokenLookup()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        # DRF's checks and messages, with the one-statement lookup.
        token = _token_lookup(key) if "\x00" not in key else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
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
