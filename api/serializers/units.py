"""The authority tree and the signed-in user's place in it."""

from __future__ import annotations

from rest_framework import serializers

from casework.choices import Role
from casework.models import Unit

from . import strict


class UnitSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    authority_level = strict.CharField(source="level.authority_level", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "level",
            "authority_level",
            "parent",
            "path",
            "depth",
            "is_remote",
            "head",
            "is_active",
        ]
        read_only_fields = fields


class MembershipUnitSerializer(serializers.Serializer):
    id = strict.IntegerField()
    code = strict.CharField()
    name = strict.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))


class MeSerializer(serializers.Serializer):
    id = strict.IntegerField()
    username = strict.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    units = MembershipUnitSerializer(many=True)
