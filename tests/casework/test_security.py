import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from casework.checks import default_secret_key_check
from casework.security import DEFAULT_SECRET_KEY, assert_no_demo_credentials, demo_users_with_demo_password
from tests.factories import UserFactory


def _import_prod_settings(monkeypatch, secret_key: str | None):
    if secret_key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret_key)
    for name in ("config.settings.prod", "config.settings.base"):
        sys.modules.pop(name, None)
    try:
        return importlib.import_module("config.settings.prod")
    finally:
        for name in ("config.settings.prod", "config.settings.base"):
            sys.modules.pop(name, None)


def test_production_settings_refuse_the_default_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _import_prod_settings(monkeypatch, None)


def test_production_settings_refuse_a_short_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured):
        _import_prod_settings(monkeypatch, "short")


def test_production_settings_accept_a_real_secret_key(monkeypatch):
    prod = _import_prod_settings(monkeypatch, "x" * 50)
    assert prod.DEBUG is False and prod.REFUSE_DEMO_CREDENTIALS is True


def test_production_refuses_to_serve_while_a_demo_login_keeps_the_demo_password(db):
    UserFactory(username="head", password="demo")
    with pytest.raises(ImproperlyConfigured, match="head"):
        assert_no_demo_credentials()


def test_changed_demo_passwords_let_production_start(db):
    UserFactory(username="head", password="a-real-password-42")
    UserFactory(username="someone", password="demo")  # not a demo login name
    assert demo_users_with_demo_password() == []
    assert_no_demo_credentials()


def test_deploy_check_reports_demo_logins(db, capsys):
    UserFactory(username="monitor", password="demo")
    with pytest.raises(Exception, match=r"casework\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_deploy_check_reports_the_public_development_secret_key(settings):
    settings.SECRET_KEY = DEFAULT_SECRET_KEY
    assert [e.id for e in default_secret_key_check(None)] == ["casework.E002"]
    settings.SECRET_KEY = "x" * 50
    assert default_secret_key_check(None) == []
