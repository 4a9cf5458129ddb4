"""Petitioners: "party" is the model, "petitioner" the word in the API (denouncers included).

`PetitionerSerializer` is a petitioner as a given user may see them (masked when sealed),
`CasePetitionerSerializer` the same on a case, `PetitionerRecordSerializer` a row of the people
endpoint, `PetitionerInputSerializer` what a request names. The OpenAPI component names of the first
three ("Person", "Petitioner", "Party") are kept: integrations generate code from them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
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


# casework.text.looks_like_phone and looks_like_id_number as regular expressions, for the schema (an empty
# value is not given; DRF strips surrounding spaces first).
PHONE = r"[ .()-]*\+?([ .()-]*[0-9]){8,15}[ .()-]*"
PERSON_ID = r"[0-9]{9}|[0-9]{12}|[A-Za-z]{1,2}[0-9]{6,8}"
ORGANIZATION_ID = r"[0-9]{10}(-[0-9]{3})?|[0-9]{13}"
_BLANK = {"pattern": strict.BLANK}  # nothing once DRF has stripped it
_GIVEN = {"pattern": strict.VISIBLE}


class _DescribedCharField(strict.CharField):
    """Text whose shape the schema states (a `pattern`) and checks workflows.intake make; kept in
    __init__ because DRF rebuilds declared fields from their arguments for every serializer."""

    def __init__(self, *, pattern: str, description: str, **kwargs):
        super().__init__(**kwargs)
        schema = {"type": "string", "default": "", "maxLength": kwargs["max_length"], "pattern": pattern}
        extend_schema_field({**schema, "description": description})(self)


class PetitionerInputSerializer(serializers.Serializer):
    # workflows.intake.checks.people_errors: a person gives a name; someone without one stays anonymous
    # and gives only a way to reach them (address, phone or e-mail), no ID number, and represents nobody.
    # An ID number is a citizen's (12 or 9 digits, a passport number) or an organization's tax code.
    request_schema_rules = {
        "allOf": [
            {
                "anyOf": [
                    {"properties": {"full_name": _GIVEN}, "required": ["full_name"]},
                    {
                        "properties": {
                            "full_name": _BLANK,
                            "id_number": _BLANK,
                            "is_representative": {"enum": [False]},
                        },
                        "anyOf": [
                            {"properties": {"address": _GIVEN}, "required": ["address"]},
                            {"properties": {"phone": _GIVEN}, "required": ["phone"]},
                            {"properties": {"email": {"minLength": 1}}, "required": ["email"]},
                        ],
                    },
                ]
            },
            {
                "anyOf": [
                    {
                        "properties": {
                            "kind": {"enum": [PartyKind.ORGANIZATION.value]},
                            "id_number": {"pattern": f"^$|^({ORGANIZATION_ID})$"},
                        },
                        "required": ["kind"],
                    },
                    {
                        "properties": {
                            "kind": {"enum": [k for k in PartyKind.values if k != PartyKind.ORGANIZATION]},
                            "id_number": {"pattern": f"^$|^({PERSON_ID})$"},
                        }
                    },
                ]
            },
        ]
    }

    full_name = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    id_number = _DescribedCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        pattern=f"^({PERSON_ID}|{ORGANIZATION_ID})$",
        description=(
            "A citizen's: 12 digits (citizen identity card), 9 (old identity card) or a passport number "
            "(1 or 2 letters, 6 to 8 digits); an organization's tax code: 10 digits (a branch adds -NNN) "
            "or 13. Only with a name."
        ),
    )
    address = strict.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = _DescribedCharField(
        max_length=30,
        required=False,
        allow_blank=True,
        default="",
        pattern=f"^{PHONE}$",
        description="8 to 15 digits, optionally starting with +, grouped by spaces, dots, dashes or brackets",
    )
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
