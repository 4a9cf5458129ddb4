"""Outbox topics are one enumeration: everything the code enqueues is a Topic, and every Topic is either
planned for or deliberately ignored by the notification planners."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from django.conf import settings

from casework.choices import Action, Topic
from casework.models import OutboxMessage
from notifications.planning import IGNORED_TOPICS, PLANNERS
from tests.factories import act, register
from workflows.scan import ALERT_TOPICS, Alert

APPS = ("api", "backoffice", "casework", "demo", "notifications", "workflows")


def test_every_topic_is_either_planned_or_deliberately_ignored_never_both():
    assert set(PLANNERS) | set(IGNORED_TOPICS) == set(Topic)
    assert set(PLANNERS) & set(IGNORED_TOPICS) == set()
    assert all(isinstance(t, Topic) for t in [*PLANNERS, *IGNORED_TOPICS])


def test_each_action_has_its_topic_and_the_topic_values_are_the_stored_strings():
    assert {Topic.for_action(a) for a in Action} == {t for t in Topic if t.value.startswith("case.")} - {
        Topic.CASE_REGISTER
    }
    assert Topic.for_action("return_for_revision") == "case.return_for_revision"
    assert {Topic.CASE_REGISTER, Topic.DIGEST_DAILY} == {"case.register", "digest.daily"}
    assert {ALERT_TOPICS[k] for k in (Alert.REMINDER, Alert.OVERDUE, Alert.ESCALATION)} == {
        "deadline.reminder",
        "deadline.overdue",
        "deadline.escalation",
    }


def _topic_arguments():
    """Every `topic=` argument in the application code (tests and migrations aside)."""
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        if keyword.arg == "topic":
                            yield f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}", keyword.value


def test_the_code_names_topics_only_through_the_enumeration():
    found = list(_topic_arguments())
    assert len(found) >= 4  # transitions, intake, the scan's alerts and digest
    spelled = [where for where, value in found if isinstance(value, (ast.Constant, ast.JoinedStr))]
    assert spelled == [], f"topic spelled as a bare string at {spelled}"


def test_a_case_lifecycle_only_enqueues_topics_of_the_enumeration(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    case = act(case, "review", org.reception, on=date(2026, 3, 3))
    case = act(case, "accept", org.head, on=date(2026, 3, 5))
    case = act(case, "start_verification", org.head, on=date(2026, 3, 6), handler=org.handler.pk)
    topics = list(OutboxMessage.objects.filter(case=case).order_by("id").values_list("topic", flat=True))
    assert topics == ["case.register", "case.review", "case.accept", "case.start_verification"]
    assert all(Topic(t) for t in topics)
