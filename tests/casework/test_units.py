"""The authority tree: a materialized path makes every subtree one indexed prefix match."""

from __future__ import annotations

import pytest

from casework.choices import AuthorityLevel
from casework.models import Unit
from casework.services import ServiceError, create_unit
from tests.factories import UnitFactory, UnitLevelFactory

pytestmark = pytest.mark.sql


@pytest.fixture
def levels(db):
    return {
        "province": UnitLevelFactory(code="province", rank=1, authority_level=AuthorityLevel.PROVINCE),
        "department": UnitLevelFactory(
            code="department", rank=2, authority_level=AuthorityLevel.PROVINCE, is_agency=True
        ),
        "commune": UnitLevelFactory(code="commune", rank=3, authority_level=AuthorityLevel.COMMUNE),
    }


@pytest.fixture
def tree(levels):
    """Two provinces; the first has a department with an office below it, and a commune."""
    north = UnitFactory(code="bac", level=levels["province"])
    south = UnitFactory(code="nam", level=levels["province"])
    department = UnitFactory(code="so-tn", level=levels["department"], parent=north)
    office = UnitFactory(code="chi-cuc", level=levels["commune"], parent=department)
    commune = UnitFactory(code="xa-1", level=levels["commune"], parent=north)
    return {"north": north, "south": south, "department": department, "office": office, "commune": commune}


def test_path_lists_the_ancestors_ids(tree):
    north, department, office = tree["north"], tree["department"], tree["office"]
    assert north.path == f"/{north.pk}/"
    assert department.path == f"/{north.pk}/{department.pk}/"
    assert office.path == f"/{north.pk}/{department.pk}/{office.pk}/"
    assert [north.depth, department.depth, office.depth] == [0, 1, 2]


def test_subtree_is_one_prefix_query_on_the_path(tree, django_assert_num_queries):
    north = tree["north"]
    query = str(north.subtree().query)
    assert "LIKE" in query.upper() and '"path"' in query
    with django_assert_num_queries(1):
        units = set(north.subtree())
    assert units == {north, tree["department"], tree["office"], tree["commune"]}
    assert set(tree["department"].subtree()) == {tree["department"], tree["office"]}
    assert set(tree["south"].subtree()) == {tree["south"]}


def test_subtree_does_not_match_a_unit_whose_id_extends_the_prefix(levels):
    # "/7001/" must not match "/70012/": the trailing slash is part of the prefix.
    short = UnitFactory(id=7001, code="short", level=levels["province"])
    long = UnitFactory(id=70012, code="long", level=levels["province"])
    child = UnitFactory(code="child", level=levels["commune"], parent=short)
    assert (short.path, long.path) == ("/7001/", "/70012/")
    assert set(short.subtree()) == {short, child}
    assert set(long.subtree()) == {long}


def test_ancestors_run_from_the_root_down(tree):
    office = tree["office"]
    assert list(office.ancestors()) == [tree["north"], tree["department"]]
    assert list(tree["north"].ancestors()) == []


def test_is_within(tree):
    assert tree["office"].is_within(tree["north"])
    assert tree["office"].is_within(tree["office"])
    assert not tree["north"].is_within(tree["office"])
    assert not tree["commune"].is_within(tree["department"])


def test_moving_a_unit_rewrites_the_paths_of_its_descendants(tree):
    north, south, department, office = tree["north"], tree["south"], tree["department"], tree["office"]
    department.parent = south
    department.save()
    office.refresh_from_db()
    assert department.path == f"/{south.pk}/{department.pk}/"
    assert office.path == f"/{south.pk}/{department.pk}/{office.pk}/"
    assert (department.depth, office.depth) == (1, 2)
    assert set(south.subtree()) == {south, department, office}
    assert set(north.subtree()) == {north, tree["commune"]}
    assert list(office.ancestors()) == [south, department]


def test_moving_a_unit_up_a_level_updates_descendant_depths(tree):
    department, office = tree["department"], tree["office"]
    department.parent = None
    department.save()
    office.refresh_from_db()
    assert (department.path, department.depth) == (f"/{department.pk}/", 0)
    assert (office.path, office.depth) == (f"/{department.pk}/{office.pk}/", 1)


def test_saving_without_moving_leaves_paths_alone(tree):
    north = tree["north"]
    north.name = "UBND tỉnh Bắc (đổi tên)"
    north.save()
    assert Unit.objects.get(pk=tree["office"].pk).path == tree["office"].path


def test_unit_cannot_rank_above_its_parent(levels, tree):
    with pytest.raises(ServiceError) as exc:
        create_unit(code="bad", name="Tỉnh dưới xã", level=levels["province"], parent=tree["commune"])
    assert "level" in exc.value.errors
    unit = create_unit(code="ok", name="Xã mới", level=levels["commune"], parent=tree["north"])
    assert unit.path == f"{tree['north'].path}{unit.pk}/"
