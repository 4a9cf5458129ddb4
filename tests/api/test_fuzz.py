"""Property-based fuzzing of the whole API against its own OpenAPI schema (schemathesis).

Every operation of /api/schema/ gets generated requests (schema-valid ones, then deliberately invalid
ones) sent through the Django WSGI app as the head of a commune, under every check schemathesis has: no
5xx; status, content type, headers and body as documented; schema-valid data accepted, schema-invalid
data refused; credentials not ignored. Runs in the normal suite, bounded to a couple of minutes on two
cores (FUZZ_EXAMPLES examples per operation and mode; the env variable raises it for a longer run).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.core import NOT_SET
from schemathesis.core.jsonschema import patterns
from schemathesis.generation import GenerationMode
from schemathesis.generation.jsonschema import strategy as jsonschema_strategy
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi import converter
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from schemathesis.transport.serialization import Binary

from casework.choices import CaseKind
from casework.models import Case
from tests.factories import act, petitioner, register
from tests.helpers import DENOUNCER

# 4 per operation and mode: about 750 requests over the 75 operations (the pinned pass only where it
# changes the request), which keeps `make test` within its four minutes on two cores.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
# Refusals of schema-valid data that no schema can foresee, because they depend on what the server holds
# or on today's date, or combine parameters; the 400 body's `codes` names them field by field. Anything
# else refused is a failure: a constraint the API enforces and the schema does not say.
STATE_DEPENDENT_CODES = frozenset(
    {
        "does_not_exist",  # an id or unit code of the right shape that names nothing (or nothing in reach)
        "invalid_credentials",  # a username and password of the right shape that do not match
        "in_future",  # a date after today (an action's effective date, a visit, a paper's date)
        "before_previous_step",  # an action's effective date before the case's previous step
        "no_rules_in_force",  # a date before the first legal rule in the policy table
        "outcome_not_for_kind",  # an outcome of another kind of case than this one
        "same_unit",  # a transfer to the unit that holds the case
        "not_above",  # an appeal to a unit that is not above the first-round unit
        "not_a_handler",  # a user who is not a handler of the case's unit
        "not_at_unit",  # a visit or dialogue that names a case of another unit
        "denunciation",  # a dialogue on a denunciation case
        "before_received",  # a document dated before its case was received
        "before_visit",  # a document dated before its visit
        "not_as_recorded",  # a refusal notice whose ground is not the one recorded on the visit
        "not_a_commune",  # a dialogue conference at a unit that is not a commune
        "wrong_state",  # a conference step its conference's state does not allow (already announced, ...)
        "before_conference",  # results published before the conference was held
        # What OpenAPI cannot state: a file's bytes (its type by content, its size, the virus check), and
        # which characters are visible (Unicode categories; a schema's regular expression has no \p{L}).
        "file_content",
        "not_visible",
        # Query parameters that exclude each other or go together (a report's `period` or both dates):
        # OpenAPI 3.0 describes each parameter on its own and has no way to say so.
        "period_conflict",
        "period_required",
        "date_order",
        # A bound taken from another field: a visit's visitor_count below the number of visitors listed
        # (JSON Schema compares a value with constants, never with another field or its length).
        "below_visitors_listed",
        "after_received",  # a complaint's decision_known_at after the day the paper was received
        # Outcome figures against each other and against what the case already states: a part above its
        # whole (officials among the people referred), a count without its flag, figures on a kind of
        # case that has none.
        "exceeds_whole",
        "flag_required",
        "figures_not_for_kind",
    }
)


MISLABELLED: Counter[str] = Counter()  # operation -> "positive" requests that break their own schema


def schema_valid_data_accepted(ctx, response, case):
    """schemathesis' positive_data_acceptance, except for the refusals above (and only those), and except
    for requests that are not schema-valid at all."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        codes = _field_codes(response) if response.status_code == 400 else None
        if codes and set(codes) <= STATE_DEPENDENT_CODES:
            return None
        if not _conforms_to_schema(case):
            MISLABELLED[case.operation.label] += 1
            return None
        raise


def _conforms_to_schema(case) -> bool:
    """Whether the request schemathesis drew as "positive" really satisfies the operation's schema.

    positive_data_acceptance trusts the generation mode, but the generator does not always satisfy an
    `anyOf` nested in an `allOf` (a multipart body of the citizen's submission came with an id_number
    outside its pattern and an e-mail that is no address). A refusal of such a request is the API being
    right. The body and the query and path parameters are validated with schemathesis' own validators
    (formats asserted); if a value cannot be judged, the request counts as conforming, so the API is
    blamed rather than excused."""
    operation = case.operation
    try:
        for parameter in operation.iter_parameters():
            values = {"query": case.query, "path": case.path_parameters}.get(parameter.location.value)
            if values and parameter.name in values and not parameter.is_valid(values[parameter.name]):
                return False
        if case.body is not NOT_SET:
            for body in operation.body:
                if body.media_type == case.media_type:
                    return body.is_valid(_files_as_text(case.body))
    except (TypeError, ValueError):
        return True
    return True


def _files_as_text(value):
    """A multipart body's file contents (schemathesis' Binary, `format: binary` in the schema) as the
    plain text a validator can take; their bytes are the server's to judge (the `file_content` code)."""
    if isinstance(value, Binary):
        return value.data.decode("latin-1")
    if isinstance(value, dict):
        return {key: _files_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_files_as_text(item) for item in value]
    return value


AUTH_ENFORCED: set[str] = set()  # operations whose credentials ignored_auth has proven enforced


def credentials_not_ignored(ctx, response, case):
    """schemathesis' ignored_auth as its own runner does it: once an operation has refused a request
    without or with wrong credentials, it is not probed again (case.call_and_validate gives the check no
    such memory, so it would send two more requests after every success)."""
    ctx.auth_enforced_operations = AUTH_ENFORCED
    return ignored_auth(ctx, response, case)


def _field_codes(response) -> list[str]:
    """The code of every message of a 400 body; none unless each message has one."""
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):  # Open311's error list
        body, open311 = body[0], True
    else:
        open311 = False
    if not isinstance(body, dict) or not isinstance(body.get("codes"), dict):
        return []
    if open311:  # its messages are joined in one description: each field's codes stand for them
        return [code for per_field in body["codes"].values() for code in per_field]
    errors, codes = body.get("errors") or {}, body["codes"]
    if errors.keys() != codes.keys() or any(len(errors[k]) != len(codes[k]) for k in errors):
        return []
    return [code for per_field in codes.values() for code in per_field]


# A text's length bound above this is left out of the pattern schemathesis draws from (see below).
PATTERN_LENGTH_FOLD_LIMIT = 1000


@pytest.fixture
def cheap_long_text_patterns(monkeypatch):
    """schemathesis folds a string's length bounds into its pattern to draw matches of the right length
    (`\\S` with maxLength 20000 becomes `^\\S{1,20000}$`). For the API's long texts that costs more than
    anything else in this test: the Rust regex engine of each validator built for such a pattern takes
    ~40 MB and half a second (1.5 GB peak and ~25 s of CPU over the run). Above the limit the pattern is
    drawn as written; the draw is still checked against the pattern and both bounds as the schema states
    them, so the requests stay as valid (or as invalid) as before and every check still runs."""
    fold = patterns.update_quantifier

    def update_quantifier(pattern: str, min_length: int | None, max_length: int | None) -> str:
        if max_length is not None and max_length > PATTERN_LENGTH_FOLD_LIMIT:
            return pattern
        return fold(pattern, min_length, max_length)

    # Both modules import the function by name; raising=True makes an upgrade that renames it fail here.
    monkeypatch.setattr(converter, "update_quantifier", update_quantifier)
    monkeypatch.setattr(jsonschema_strategy, "update_quantifier", update_quantifier)


@pytest.fixture
def wsgi_app():
    """The real WSGI handler; its per-request connection recycling would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(org, frozen_today):
    """Cases in several states so that ids the fuzzer picks often exist and actions reach the engine."""
    frozen_today(date(2026, 3, 20))
    register(org.commune, org.reception, received_at=date(2026, 3, 2))
    reviewed = register(org.commune, org.reception, received_at=date(2026, 3, 3), petitioners=[petitioner(2)])
    act(reviewed, "review", org.reception)
    accepted = register(org.commune, org.reception, received_at=date(2026, 3, 4), petitioners=[petitioner(3)])
    act(accepted, "review", org.reception)
    act(accepted, "accept", org.head)
    denunciation = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 5),
        petitioners=[DENOUNCER],
    )
    act(denunciation, "review", org.reception)
    register(org.commune, org.reception, kind=CaseKind.REFLECTION, received_at=date(2026, 3, 6))
    return org


def pinning(org):
    """A map over generated cases that points ids at real objects, so that schema-valid requests get
    past "no such case" and into the engine (the body stays generated)."""
    cases = list(Case.objects.order_by("id"))
    references = {
        "unit": org.commune.pk,
        "target_unit": org.province.pk,
        "handler": org.handler.pk,
        "jurisdiction_id": org.commune.code,
    }
    dropped = ("respondent_unit", "first_round_case", "existing_cases", "chair", "unit_code", "api_key")

    def pin(args):
        case, index = args
        target = cases[index % len(cases)]
        if "id" in (case.path_parameters or {}) and "/cases/" in case.operation.path:
            case.path_parameters["id"] = target.pk
        if isinstance(case.body, dict):
            original = set(case.body)
            for name, value in references.items():
                if name in case.body:
                    case.body[name] = value
            for name in dropped:
                case.body.pop(name, None)
            if "existing_cases" in original and "/visits/" in case.operation.path:
                case.body["existing_cases"] = [target.pk]  # keep the outcome the visit was generated with
            if "version" in case.body:
                case.body["version"] = Case.objects.get(pk=target.pk).version
            if "cases" in case.body and "/dialogues/" in case.operation.path:
                case.body["cases"] = [target.pk]
        return case

    return lambda strategy: st.tuples(strategy, st.integers(0, len(cases) - 1)).map(pin)


# The operations are fuzzed in FUZZ_PARTS tests (every FUZZ_PARTS-th operation from the part's index),
# each from the same seeded state: one test of ~40 s ran alone on one xdist worker at the end of `make
# test`'s share-out; parts let both workers take it. Every operation still gets the same examples (the
# generation is derandomized per operation, not per test).
FUZZ_PARTS = 6
# Operations whose generated requests create something (a 201) from the seeded data: the run reached the
# engine, not only the validators. Each part checks those it holds (the whole run used to check that some
# 201 came at all).
CREATING = frozenset({"POST /open311/v2/requests.json", "POST /api/v1/public/submissions/"})


@pytest.mark.fuzz
@pytest.mark.django_db
@pytest.mark.parametrize("part", range(FUZZ_PARTS), ids=lambda part: f"part{part + 1}of{FUZZ_PARTS}")
def test_api_conforms_to_its_schema_under_fuzzing(
    seeded, wsgi_app, cheap_long_text_patterns, api_schema, part
):
    token = Token.objects.create(user=seeded.head).key
    # The document /api/schema/ serves, generated once for the run (api_schema) rather than again here and
    # parsed from JSON rather than YAML; requests still go to the WSGI app, as from_wsgi would set them.
    schema = schemathesis.openapi.from_dict(api_schema)
    schema.app, schema.location = wsgi_app, "/api/schema/"
    # No NUL in generated text: the API refuses it in every text (PostgreSQL cannot store it; a 400), which
    # the schema's description says once rather than as a `pattern` on every string (each would slow
    # hypothesis' generation of all of them: ~67 s of CPU more for this test).
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    assert {operation.label for operation in operations} >= CREATING
    only = os.environ.get("FUZZ_ONLY")  # while working on one operation: a part of its label
    operations = [op for op in operations if not only or only in op.label] if only else operations
    operations = operations[part::FUZZ_PARTS]
    pinned = pinning(seeded)
    failures: dict[str, str] = {}  # distinct failure -> its first full report
    statuses: Counter[int] = Counter()
    created: set[str] = set()  # operations that created something
    examples = 0
    started = time.monotonic()

    # schemathesis' default set: every built-in check, with positive_data_acceptance narrowed as above,
    # and ignored_auth with the memory its runner gives it.
    AUTH_ENFORCED.clear()
    MISLABELLED.clear()
    checks = {
        "excluded_checks": [positive_data_acceptance, ignored_auth],
        "additional_checks": [schema_valid_data_accepted, credentials_not_ignored],
    }

    def fuzz(operation, label: str, strategy) -> None:
        """FUZZ_EXAMPLES generated requests for one operation; failures are collected, not raised."""

        @given(case=strategy)
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal examples
            examples += 1
            try:
                response = case.call_and_validate(headers={"Authorization": f"Token {token}"}, **checks)
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    created.add(operation.label)
            except BaseException as failure:  # collect all (FailureGroup is a BaseExceptionGroup)
                if isinstance(failure, KeyboardInterrupt):
                    raise
                text = str(failure)
                kinds = [line.strip() for line in text.splitlines() if line.strip().startswith("- ")]
                bodies = [line.strip() for line in text.splitlines() if line.strip().startswith(("`{", "`["))]
                key = f"{operation.label} [{label}] {' | '.join(kinds) or text[:200]} {bodies[:1]}"[:400]
                failures.setdefault(key, text[:3000])

        try:
            run()
        except Unsatisfiable:
            # Nothing to make invalid (no parameters, no body): the positive passes cover it.
            assert label == "negative", operation.label

    for operation in operations:
        fuzz(operation, "positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        # Pinning changes a case id in the path and the references in a body: for the other operations
        # (reads by query) a pinned pass would only repeat the positive one, at a third of the cost.
        if "/cases/{id}" in operation.path or operation.method.upper() in ("POST", "PUT", "PATCH"):
            fuzz(
                operation,
                "positive, pinned ids",
                pinned(operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
            )
        # Only credentials as parameters (any string is a well-formed header or cookie) and no body:
        # nothing can be made invalid, which hypothesis would take ~1.5 s of CPU each to conclude.
        if operation.body or any(
            "x-original-security-type" not in parameter.definition
            for parameter in operation.iter_parameters()
        ):
            fuzz(operation, "negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    duration = time.monotonic() - started
    print(
        f"\nschemathesis: {len(operations)} operations, {examples} examples in {duration:.1f}s; "
        f"statuses {dict(sorted(statuses.items()))}; created by {sorted(created)}; "
        f"refused and not schema-valid: {dict(MISLABELLED)}"
    )
    if os.environ.get("FUZZ_REPORT"):  # files listing every distinct failure, for working through them
        with open(f"{os.environ['FUZZ_REPORT']}.part{part + 1}", "w") as out:  # one per part
            out.write(f"{examples} examples, {len(failures)} failures\n" + "\n".join(failures) + "\n\n")
            out.write(f"refused and not schema-valid (not failures): {dict(MISLABELLED)}\n\n")
            out.write("\n\n".join(failures.values()))
    assert not failures, "\n".join(failures) + "\n\n" + "\n\n".join(list(failures.values())[:5])
    # The run reached the engine, not only the validators: reads and actions succeeded, things were created.
    assert only or statuses[200]
    assert only or CREATING & {operation.label for operation in operations} <= created


def test_only_a_request_outside_its_own_schema_is_excused(api_schema):
    """The excuse above is narrow: a body breaking the schema's nested anyOf (an id_number that is no ID
    number, an e-mail that is no address) is not schema-valid, the same body with those fields right is,
    files included."""
    schema = schemathesis.openapi.from_dict(api_schema)
    submission = next(
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().label == "POST /api/v1/public/submissions/"
    )
    valid = {
        "unit": 1024,
        "kind": "reflection",
        "summary": "Đường ngập nước.",
        "anonymous": False,
        "full_name": "Nguyễn Văn An",
        "id_number": "001203004005",
        "email": "an@example.vn",
        "attachments": [Binary(b"%PDF-1.4")],
    }

    def conforms(**changes):
        body = {**valid, **changes}
        return _conforms_to_schema(submission.Case(body=body, media_type="multipart/form-data"))

    assert conforms()
    assert conforms(id_number="", email="")
    assert not conforms(id_number="return_for_revision")
    assert not conforms(email="received_at")
    assert conforms(anonymous=True, id_number="return_for_revision")  # the anonymous branch of the anyOf
