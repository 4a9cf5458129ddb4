"""The citizens' pages: no login, Vietnamese first with an English switch, accessible markup."""

from __future__ import annotations

import re

from django.test import Client, override_settings


@override_settings(LANGUAGE_CODE="vi")  # the deployment default; the test settings run in English
def test_the_citizen_home_needs_no_login_and_is_vietnamese_first(db):
    response = Client().get("/cong-dan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Dịch vụ cho công dân" in html
    # Landmarks and a skip link for keyboard and screen-reader users.
    for landmark in ('<main id="main"', 'role="banner"', 'role="contentinfo"', "<nav "):
        assert landmark in html
    assert 'href="#main"' in html
    # The language switch posts to Django's set_language.
    assert re.search(r'action="/i18n/setlang/"', html) and 'value="en"' in html


def test_switching_to_english_shows_the_citizen_pages_in_english(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/cong-dan/"})
    html = client.get("/cong-dan/").content.decode()
    assert '<html lang="en">' in html and "Citizen services" in html
