"""The Vietnamese catalogue: representative strings come out in Vietnamese, and the .po/.mo pair is
complete, free of fuzzy entries, keeps every placeholder, and is what gettext actually serves."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.utils import translation

from casework.choices import CaseKind, CaseState, DeadlineKind, Role
from casework.models import Deadline
from casework.rules.explain import explain
from tests.factories import register
from workflows.machines import dialogue_recorded_for_second_round

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


# --- A small .po reader (no polib in the project) ------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def translations(self) -> list[str]:
        return list(self.msgstr_plural.values()) if self.msgid_plural is not None else [self.msgstr]


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    def append(text: str) -> None:
        value = ast.literal_eval(text)  # PO strings use C escapes, which Python literals share
        name, index = target
        if name == "msgstr_plural":
            current.msgstr_plural[index] = current.msgstr_plural.get(index, "") + value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            current = current or Entry(line=number)
            current.obsolete = True
            continue
        if line.startswith("#,"):
            if current is not None and target is not None:
                finish()
            current = current or Entry(line=number)
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            # Entries not separated by a blank line; a msgid right after its msgctxt is the same entry.
            if (
                keyword in ("msgctxt", "msgid")
                and current is not None
                and target not in (None, ("msgctxt", None))
            ):
                finish()
            current = current or Entry(line=number)
            if keyword.startswith("msgstr["):
                target = ("msgstr_plural", int(index))
                current.msgstr_plural.setdefault(int(index), "")
            else:
                target = (keyword, None)
                if keyword == "msgid_plural":
                    current.msgid_plural = ""
            append(text)
        elif line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            append(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = [e for e in parse_po(PO_FILE) if not e.obsolete]
    assert entries[0].msgid == "", "the header entry comes first"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    return catalogue[1:]


# Python %-directives (named or positional, with flags, width, precision) and str.format fields.
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def placeholders(text: str, flags: set[str]) -> set[str]:
    found: set[str] = set()
    if "python-format" in flags:
        found |= set(PERCENT.findall(text))
    if "python-brace-format" in flags:
        found |= set(BRACE.findall(text))
    return found


# --- What users see ------------------------------------------------------------------------------


def test_state_kind_and_role_labels_are_vietnamese():
    with translation.override("vi"):
        assert CaseState.ACCEPTED.label == "Đã thụ lý"
        assert CaseState.UNDER_REVIEW.label == "Đang xem xét, phân loại"
        assert CaseState.REJECTED.label == "Không thụ lý"
        assert CaseKind.DENUNCIATION.label == "Tố cáo"
        assert Role.RECEPTION_OFFICER.label == "Cán bộ tiếp công dân"
        assert Role.UNIT_HEAD.label == "Thủ trưởng đơn vị"
    with translation.override("en"):
        assert CaseState.ACCEPTED.label == "Accepted"
        assert Role.RECEPTION_OFFICER.label == "Reception officer"


def test_guard_message_is_vietnamese_and_keeps_its_legal_citation():
    message = dialogue_recorded_for_second_round.guard_message
    with translation.override("vi"):
        vi = str(message)
    with translation.override("en"):
        en = str(message)
    assert en.startswith("A second-round complaint cannot be decided")
    assert "khiếu nại lần hai" in vi
    assert "đối thoại" in vi
    assert "Điều 39 Luật Khiếu nại" in vi


def test_admin_site_header_is_vietnamese():
    with translation.override("vi"):
        assert str(admin.site.site_header) == "Tiếp công dân — Quản lý hồ sơ"
    with translation.override("en"):
        assert str(admin.site.site_header) == "Tiếp công dân — Case management"


def test_working_day_deadline_explanation_reads_in_vietnamese(org, frozen_today):
    # Denunciation received Thu 5 Mar 2026: acceptance within 7 working days (LTC Art. 24.1).
    frozen_today(date(2026, 3, 6))
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 5))
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.ACCEPTANCE)
    with translation.override("vi"):
        text = explain(deadline)
    assert text.startswith("Thời hạn thụ lý: 7 ngày làm việc kể từ ngày tiếp nhận đơn")
    assert "Không tính ngày xảy ra sự kiện (Điều 147 Bộ luật Dân sự 2015)." in text
    assert "Hết hạn vào ngày" in text and "16/03/2026" in text


# --- The catalogue itself ------------------------------------------------------------------------


def test_po_header_declares_vietnamese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    assert "Language: vi\n" in header.msgstr
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


def test_every_message_is_translated_and_none_is_fuzzy(messages):
    assert len(messages) > 400  # the catalogue is the project's, not a stub
    untranslated = [e.msgid for e in messages if not all(t.strip() for t in e.translations)]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_exactly_the_one_vietnamese_form(messages):
    plurals = [e for e in messages if e.msgid_plural is not None]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstr_plural) != [0]] == []


def test_translations_keep_every_placeholder(messages):
    broken = []
    for entry in messages:
        expected = placeholders(entry.msgid, entry.flags) | placeholders(
            entry.msgid_plural or "", entry.flags
        )
        for text in entry.translations:
            if placeholders(text, entry.flags) != expected:
                broken.append((entry.msgid, text))
    assert broken == []


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    flags = {"python-format"}
    assert placeholders("Due on %(due)s (%(n)d days), 100%%", flags) == {"%(due)s", "%(n)d", "%%"}
    assert placeholders("Hết hạn vào ngày %(ngay)s", flags) != placeholders("Due on %(due)s.", flags)
    assert placeholders("{count} hồ sơ", {"python-brace-format"}) == {"{count}"}


def test_po_reader_keeps_a_context_with_its_message(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgctxt "notice"\nmsgid "complaint"\nmsgstr "khiếu nại"\n'
        'msgid "Complaint"\nmsgstr "Khiếu nại"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)[1:]
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in entries] == [
        ("notice", "complaint", "khiếu nại"),
        (None, "Complaint", "Khiếu nại"),
    ]


def test_compiled_catalogue_serves_the_po_translations(messages):
    assert MO_FILE.is_file() and MO_FILE.stat().st_size > 0
    # Every entry, not a sample: a stale .mo shows up as a mismatch on whatever changed.
    stale = []
    with translation.override("vi"):
        for entry in messages:
            if entry.msgid_plural is not None:
                for n in (1, 2, 7):
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    if got != entry.msgstr_plural[0]:
                        stale.append((entry.msgid, n, got))
            elif entry.msgctxt is not None:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
                if got != entry.msgstr:
                    stale.append((entry.msgid, got))
            elif translation.gettext(entry.msgid) != entry.msgstr:
                stale.append((entry.msgid, translation.gettext(entry.msgid)))
    assert stale == []
