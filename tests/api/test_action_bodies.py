"""The action serializers copy their declared fields shallowly (ActionSerializer.get_fields) instead of
DRF's deep copy; every body must validate exactly as with DRF's copies, and the declared fields must stay
as they were declared."""

import pytest
from django.utils import translation
from rest_framework import serializers

from api.serializers import ACTION_SERIALIZERS
from workflows.actions import ACTION_PARAMS

VALUES = {
    "text": ["Kết quả", "", "   ", None, 12, "x" * 5000, "\x00"],
    "int": [1, 0, 7, 32767, 32768, "3", 2.5, True, None],
    "count": [0, 1, -1, 2_147_483_647, 2_147_483_648, "1", None],
    "decimal": ["12.5", "1e3", 12, 12.345, "abc", -1, None, "9" * 40],
    "bool": [True, False, "true", "yes", 1, 2, None],
    "choice": ["nonsense", "", None, 3],
    "unit": [1, 0, 2**63, "1", None],
    "user": [1, 0, 2**31, "1", None],
}


def _bodies(action: str):
    params = ACTION_PARAMS[action]
    yield {}
    yield {"version": 3}
    yield {"version": "3", "note": 5}
    yield {"version": 0, "note": "n", "effective_date": "2026-02-30"}
    yield {"version": 2, "effective_date": "2026-03-02", "unexpected": 1}
    required = {p.name: (p.choices[0] if p.choices else VALUES[p.type][0]) for p in params if p.required}
    for param in params:
        values = [*VALUES[param.type], *param.choices[:2]]
        for value in values:
            yield {"version": 2, **required, param.name: value}
    yield {"version": 2, **{p.name: (p.choices[0] if p.choices else VALUES[p.type][0]) for p in params}}


class _DeepCopied(serializers.Serializer):
    # DRF's own fields: deep copies of the declared ones, each bound to the serializer.
    fields = serializers.Serializer.fields

    def get_fields(self):
        return serializers.Serializer.get_fields(self)


def _outcome(serializer_class, body):
    serializer = serializer_class(data=body)
    valid = serializer.is_valid()
    return valid, dict(serializer.validated_data) if valid else serializer.errors


@pytest.mark.parametrize("action", sorted(ACTION_SERIALIZERS))
def test_every_action_body_validates_as_with_drfs_deep_copies(action):
    shallow = ACTION_SERIALIZERS[action]
    deep = type(f"Deep{shallow.__name__}", (_DeepCopied, shallow), {})
    for language in ("vi", "en"):
        with translation.override(language):
            for body in _bodies(action):
                assert _outcome(shallow, body) == _outcome(deep, body), (action, body)


def test_the_declared_fields_are_never_bound_or_changed():
    serializer_class = ACTION_SERIALIZERS["submit_for_approval"]
    before = {name: dict(vars(field)) for name, field in serializer_class._declared_fields.items()}
    for body in _bodies("submit_for_approval"):
        serializer = serializer_class(data=body)
        serializer.is_valid()
        assert all(field.parent is serializer for field in serializer.fields.values())
        # Each body's fields are its own, bound as DRF binds them (before validation sets anything).
        fresh = serializer_class(data=body)
        deep = serializers.Serializer.fields.func(fresh)
        assert list(fresh.fields) == list(deep)
        for name, field in fresh.fields.items():
            assert type(field) is type(deep[name]) and field is not deep[name]
            assert field is not serializer.fields[name]
            mine, drfs = dict(vars(field)), dict(vars(deep[name]))
            assert mine.pop("parent") is drfs.pop("parent") is fresh
            assert mine.keys() == drfs.keys()
            for key, value in mine.items():
                assert repr(value) == repr(drfs[key]), (name, key)
    after = {name: dict(vars(field)) for name, field in serializer_class._declared_fields.items()}
    assert after == before
    assert all(getattr(field, "parent", None) is None for field in serializer_class._declared_fields.values())
