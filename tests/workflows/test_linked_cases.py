"""Cases a transition opens elsewhere: the explicit linked-case step of the transition service, the
appeal's channel (issue 10, defect 7), and intake and the machines kept free of each other."""

from __future__ import annotations

import ast
import importlib
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from casework.choices import CaseState as S
from casework.choices import Channel
from casework.models import Case, CaseEvent, OutboxMessage
from tests.factories import act
from tests.helpers import TODAY, drive, new_case
from workflows.errors import ValidationFailed

WORKFLOWS = Path(settings.BASE_DIR) / "workflows"


def test_the_second_round_case_is_registered_before_the_appeal_is_audited_and_announced(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    frozen_today(date(2026, 4, 10))
    first = act(first, "appeal", org.reception)
    second = Case.objects.get(first_round_case=first)
    assert second.channel == Channel.APPEAL
    registered, appealed = second.events.get(action="register"), first.events.get(action="appeal")
    assert registered.pk < appealed.pk
    topics = list(OutboxMessage.objects.filter(case__in=[first, second]).order_by("-id")[:2])
    assert [m.topic for m in topics] == ["case.appeal", "case.register"]


def test_appeal_from_a_unit_without_a_parent_needs_a_target_and_writes_nothing(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org, unit=org.province), org, S.DECIDED)
    frozen_today(date(2026, 4, 10))
    events_before, cases_before = CaseEvent.objects.count(), Case.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(first, "appeal", org.p_reception)
    assert "target_unit" in exc.value.errors
    assert (CaseEvent.objects.count(), Case.objects.count()) == (events_before, cases_before)
    assert Case.objects.get(pk=first.pk).state == S.DECIDED


def test_the_appeal_channel_reads_as_a_second_complaint_in_vietnamese():
    with translation.override("vi"):
        assert str(Channel.APPEAL.label) == "Khiếu nại lần hai"
    # DOMAIN.md §13 channels stay as they are; the appeal is added beside them.
    assert {"in_person", "post", "online", "phone", "forwarded", "transferred_in"} < set(Channel.values)


def test_only_a_second_round_complaint_is_registered_through_the_appeal_channel(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        new_case(org, channel=Channel.APPEAL)
    assert "channel" in exc.value.errors
    first = new_case(org)
    assert new_case(org, unit=org.province, round=2, first_round_case=first, channel=Channel.APPEAL).pk


def test_the_migration_gives_cases_already_opened_by_an_appeal_the_appeal_channel(org, frozen_today):
    migration = importlib.import_module(
        "casework.migrations.0009_party_corrections_coerced_withdrawal_appeal_channel"
    )
    frozen_today(TODAY)
    first = drive(new_case(org), org, S.DECIDED)
    frozen_today(date(2026, 4, 10))
    act(first, "appeal", org.reception)
    by_appeal = Case.objects.get(first_round_case=first)
    by_hand = new_case(org, unit=org.province, round=2, first_round_case=first, channel=Channel.FORWARDED)
    Case.objects.filter(pk=by_appeal.pk).update(channel=Channel.FORWARDED)  # as recorded before the fix

    migration.appeal_channel(apps, None)
    assert Case.objects.get(pk=by_appeal.pk).channel == Channel.APPEAL
    assert Case.objects.get(pk=by_hand.pk).channel == Channel.FORWARDED
    migration.forwarded_channel(apps, None)
    assert Case.objects.get(pk=by_appeal.pk).channel == Channel.FORWARDED


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module named, inside a function) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {
        id(node)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(fn)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in nested) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found += [(f"{base}.{alias.name}", id(node) in nested) for alias in node.names]
    return found


def test_intake_and_the_machines_do_not_import_each_other_nor_lazily():
    machines = _imports(WORKFLOWS / "machines.py")
    assert not [name for name, _ in machines if "intake" in name]
    for path in (WORKFLOWS / "intake").glob("*.py"):
        found = _imports(path)
        assert not [name for name, _ in found if "machines" in name or "service" in name], path.name
        assert not [name for name, lazy in found if lazy], path.name
