"""The allow-list contract type used by .importlinter (tests/import_contracts.py), on small graphs."""

from __future__ import annotations

import grimp

from tests.import_contracts import AllowlistContract

RULE = {
    "source_modules": ["pkg.rules"],
    "package": "pkg",
    "allowed_modules": ["pkg.models", "pkg.choices"],
}


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    g = grimp.ImportGraph()
    for name in ("pkg", "pkg.rules", "pkg.rules.calendar", "pkg.models", "pkg.choices", "pkg.access"):
        g.add_module(name)
    g.add_module("django", is_squashed=True)
    for number, (importer, imported) in enumerate(imports, start=1):
        g.add_import(importer=importer, imported=imported, line_number=number, line_contents="import")
    return g


def check(g: grimp.ImportGraph):
    return AllowlistContract("rules are pure", {}, RULE).check(g, verbose=False)


def test_imports_of_allowed_modules_own_modules_and_third_parties_keep_the_contract():
    result = check(
        graph(
            ("pkg.rules.calendar", "pkg.models"),
            ("pkg.rules", "pkg.rules.calendar"),
            ("pkg.rules.calendar", "django"),
            ("pkg.access", "pkg.rules"),  # being imported is not the rule's business
            ("pkg.models", "pkg.access"),  # nor what an allowed module imports in turn
        )
    )
    assert result.kept


def test_a_module_of_the_package_outside_the_allow_list_breaks_it_with_its_line():
    result = check(graph(("pkg.rules.calendar", "pkg.choices"), ("pkg.rules.calendar", "pkg.access")))
    assert not result.kept
    assert result.metadata["violations"] == [
        {"importer": "pkg.rules.calendar", "imported": "pkg.access", "lines": [2]}
    ]


def test_importing_the_package_itself_breaks_it():
    result = check(graph(("pkg.rules", "pkg")))
    assert [v["imported"] for v in result.metadata["violations"]] == ["pkg"]
