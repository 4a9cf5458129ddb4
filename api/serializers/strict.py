"""Request fields that take JSON values at their word: a string is a string, an integer an integer.

DRF's own fields coerce (`12345` becomes the text "12345", `8.5` the unit 8, `"8"` the integer 8, `true`
the integer 1); an API whose schema says `string` or `integer` refuses what is not. The output side is
unchanged: these classes behave like DRF's when serializing."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from rest_framework import serializers

from casework.text import as_decimal

# The pattern of text that may not be blank: a character that is not whitespace as the API trims it.
# Python's str.strip (DRF's trim_whitespace, the services) also takes the information separators
# \x1c-\x1f away, which a schema's `\s` (Unicode White_Space) does not count as space: so they are
# named here, and a text of them alone is blank in the schema as on the server.
VISIBLE = "[^\\s\\x1c-\\x1f]"
BLANK = "^[\\s\\x1c-\\x1f]*$"  # text the API reads as empty


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class CharField(serializers.CharField):
    default_error_messages = {"invalid": _("Must be a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class EmailField(serializers.EmailField):
    default_error_messages = {"invalid_type": _("Must be a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_type")
        return super().to_internal_value(data)


class IntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if not _is_int(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id: a JSON integer (not 8.5, "8" or true), then looked up in the field's queryset."""

    def to_internal_value(self, data):
        if not _is_int(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer in a query string: ASCII digits only (int() would also read "٣" or fullwidth digits)."""

    def to_internal_value(self, data):
        text = str(data).strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            self.fail("invalid")
        return super().to_internal_value(text)


class AmountField(serializers.DecimalField):
    """A non-negative amount as a JSON string of ASCII digits with a point for the decimals ("12.5"),
    read by casework.text.as_decimal, the engine's own parser (no sign, comma, exponent or rounding)."""

    default_error_messages = {
        "invalid": _("Must be a string of digits with at most %(places)s decimals after a point.")
    }

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, min_value=0, **kwargs)
        whole = max_digits - decimal_places
        set_override(
            self,
            "field",
            {
                "type": "string",
                "format": "decimal",
                "pattern": rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,{decimal_places}}})?$",
                "example": "12.5",
            },
        )

    def to_internal_value(self, data):
        value = (
            as_decimal(data, places=self.decimal_places, digits=self.max_digits)
            if isinstance(data, str)
            else None
        )
        if value is None:
            raise serializers.ValidationError(
                self.error_messages["invalid"] % {"places": self.decimal_places}, code="invalid"
            )
        return value


class FormNullMixin:
    """A nullable number or date in a form (multipart or urlencoded), which has no null: `null`, as JSON
    spells it, is read as null there (in a JSON body "null" stays a string, and no number or date)."""

    def validate_empty_values(self, data):
        if (
            data == "null"
            and self.allow_null
            and isinstance(getattr(self.parent, "initial_data", None), QueryDict)
        ):
            return True, None
        return super().validate_empty_values(data)


class FormNullFloatField(FormNullMixin, serializers.FloatField):
    pass


class FormNullDateField(FormNullMixin, serializers.DateField):
    pass
