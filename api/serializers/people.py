"""Petitioners: "party" is the model, "petitioner" the word in the API (denouncers included).

`PetitionerSerializer` is a petitioner as a given user may see them (masked when sealed),
`CasePetitionerSerializer` the same on a case, `PetitionerRecordSerializer` a row of the people
endpoint, `PetitionerInputSerializer` what a request names. The OpenAPI component names of the first
three ("Person", "Petitioner", "Party") are kept: integrations generate code from them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from casework.choices import PartyKind
from casework.models import Party
from workflows.intake import PetitionerInput

from . import strict


@extend_schema_serializer(component_name="Person")
class PetitionerSerializer(serializers.Serializer):
    """A person as shown on a case or a visit; a sealed denouncer comes out masked ("***")."""

    id = strict.IntegerField(allow_null=True, help_text="Null when masked.")
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    full_name = strict.CharField()
    id_number = strict.CharField()
    address = strict.CharField()
    phone = strict.CharField()
    email = strict.CharField()
    masked = serializers.BooleanField(help_text="True when the identity is sealed for the requesting user.")


@extend_schema_serializer(component_name="Petitioner")
class CasePetitionerSerializer(PetitionerSerializer):
    is_representative = serializers.BooleanField()
    confidential = serializers.BooleanField(help_text="A denouncer (identity protected by LTC Art. 47).")


class PetitionerInputSerializer(serializers.Serializer):
    full_name = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    id_number = strict.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = strict.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = strict.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = strict.EmailField(max_length=254, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False, default=PartyKind.PERSON)
    is_representative = serializers.BooleanField(required=False, default=False)

    def to_petitioner(self, data: dict) -> PetitionerInput:
        return PetitionerInput.from_dict(data)


@extend_schema_serializer(component_name="Party")
class PetitionerRecordSerializer(serializers.ModelSerializer):
    email = strict.CharField(read_only=True, help_text="Empty when unknown.")

    class Meta:
        model = Party
        fields = ["id", "kind", "full_name", "id_number", "address", "phone", "email", "created_at"]
        read_only_fields = fields
