"""What every response carries and what production settings demand: the Content-Security-Policy (and
pages written so it breaks nothing), `Cache-Control: no-store` on personal data, forwarded headers only
from trusted proxies, HTTPS and HSTS under `config.settings.prod` (`check --deploy` reports nothing),
and where an admin sign-in without `next` lands."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from casework.choices import CaseKind, Role
from config.middleware import ForwardedHeadersMiddleware
from tests.factories import petitioner, register, staff

ROOT = Path(settings.BASE_DIR)

# What the policy forbids, as it appears in HTML: inline style blocks and attributes, inline scripts
# (a <script> without src that is not a JSON data block), event-handler attributes, htmx's eval'd hx-on.
INLINE = {
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "style block": re.compile(r"<style[\s>]", re.I),
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "hx-on": re.compile(r"\shx-on[:-]", re.I),
}


def inline_code(html: str) -> dict[str, list[str]]:
    found = {}
    for name, pattern in INLINE.items():
        hits = [m.group(0)[:120] for m in pattern.finditer(html)]
        if hits:
            found[name] = hits
    return found


@pytest.fixture
def world(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[petitioner(1)])
    register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 3))
    admin = staff(org.province, Role.ADMINISTRATOR, "unit_admin")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    return org, case, admin


def _pages(world) -> list[tuple[object, str]]:
    org, case, admin = world
    return [
        (None, "/login/"),
        (None, "/admin/login/"),
        (None, "/api/docs/"),
        (org.reception, "/"),
        (org.reception, "/desk/"),
        (org.reception, f"/cases/{case.pk}/"),
        (org.head, "/"),
        (org.head, f"/cases/{case.pk}/"),
        (org.monitor, "/board/"),
        (org.reception, "/search/?q=Nguy"),
        (admin, "/admin/"),
        (admin, "/admin/casework/case/"),
        (admin, f"/admin/casework/case/{case.pk}/change/"),
        (admin, "/admin/casework/unit/"),
        (admin, "/admin/casework/calendarday/review/?year=2026"),
        (admin, f"/admin/reception-book/?unit={org.commune.pk}&date_from=2026-03-01&date_to=2026-03-20"),
        (admin, "/admin/dashboard/"),
        (admin, "/admin/axes/accessattempt/"),
    ]


def _get(user, url: str):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_every_page_carries_the_content_security_policy_and_no_inline_code(world):
    problems = {}
    for user, url in _pages(world):
        response = _get(user, url)
        assert response.status_code == 200, (url, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
        found = inline_code(response.content.decode())
        if found:
            problems[url] = found
    assert not problems, problems


def test_the_swagger_ui_start_up_script_is_a_file_from_this_server(db):
    page = Client().get("/api/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any("script" in s and s.startswith("/api/docs/") for s in scripts), scripts
    init = Client().get("/api/docs/?script=")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()


def test_the_templates_contain_no_inline_code():
    templates = [
        p
        for app in ("workspace", "backoffice", "api", "public")
        for p in (ROOT / app / "templates").rglob("*.html")
    ]
    assert templates
    problems = {str(p.relative_to(ROOT)): inline_code(p.read_text()) for p in templates}
    assert not {k: v for k, v in problems.items() if v}


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_code(client, org):
    client.force_login(org.reception)
    html = client.get("/").content.decode()
    assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("head", "/api/v1/cases/"),
        ("head", "/api/v1/me/"),
        ("head", "/"),
        ("reception", "/desk/"),
        ("admin", "/admin/casework/case/"),
        (None, "/login/"),
    ],
)
def test_responses_with_personal_data_are_not_stored_by_caches(world, who, url):
    org, _case, admin = world
    user = {"head": org.head, "reception": org.reception, "admin": admin, None: None}[who]
    response = _get(user, url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_errors_are_not_stored_either(db):
    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401 and "no-store" in response["Cache-Control"]


# --- Forwarded headers -----------------------------------------------------------------------------


def _seen(meta: dict, settings_obj, trusted) -> dict:
    settings_obj.TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    ForwardedHeadersMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(settings):
    meta = {
        "REMOTE_ADDR": "198.51.100.1",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    }
    seen = _seen(meta, settings, ["10.0.0.0/8"])
    assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen


def test_forwarded_headers_from_a_trusted_proxy_are_kept(settings):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    seen = _seen(meta, settings, ["10.0.0.0/8"])
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https" and seen["HTTP_X_FORWARDED_FOR"] == "1.2.3.4"


def test_a_client_cannot_claim_https_through_x_forwarded_proto(settings, db):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    direct = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="198.51.100.1")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")
    proxied = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.1")
    assert proxied.status_code == 200


# --- Production settings ---------------------------------------------------------------------------


def _prod_check(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    # A deployment's environment, not this test process's: the browser tests of the same worker set
    # DJANGO_ALLOW_ASYNC_UNSAFE (Playwright runs an event loop), which check --deploy rightly refuses.
    for name in ("TEST_DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings_and_a_real_secret(tmp_path):
    result = _prod_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_is_https_only_unless_switched_off_for_a_plain_http_trial(monkeypatch):
    from tests.casework.test_security import _import_prod_settings

    prod = _import_prod_settings(monkeypatch, "x" * 50)
    assert prod.SECURE_SSL_REDIRECT and prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SESSION_COOKIE_SECURE
    assert not hasattr(prod, "SECURE_PROXY_SSL_HEADER")  # no proxy named: X-Forwarded-Proto means nothing

    monkeypatch.setenv("SECURE_COOKIES", "0")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1")
    trial = _import_prod_settings(monkeypatch, "x" * 50)
    assert not trial.SECURE_SSL_REDIRECT and trial.SECURE_HSTS_SECONDS == 0
    assert trial.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


# --- Sign-in redirect ------------------------------------------------------------------------------


@pytest.mark.parametrize("superuser", [False, True])
def test_an_admin_sign_in_without_next_lands_on_a_page_that_exists(org, superuser):
    user = org.head
    user.is_staff, user.is_superuser = True, superuser
    user.save()
    client = Client()
    response = client.post("/admin/login/", {"username": "head", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] != "/accounts/profile/"
    assert client.get(response["Location"]).status_code == 200
