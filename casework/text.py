"""How staff type a name they look for: lower case, without Vietnamese diacritics, spaces collapsed.

"Nguyễn Văn Đức", "NGUYEN VAN DUC" and "nguyen  van duc" all fold to "nguyen van duc", on SQLite
(whose LOWER/LIKE only know ASCII) as on PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext as _


def fold(text: str) -> str:
    # đ/Đ is a letter of its own, not d with a combining mark, so NFD would leave it alone.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    # The marks dropped by one translate over the distinct characters, not a test per character (a
    # page of text has a few hundred distinct characters among its hundred thousand).
    marks = {ord(c): None for c in set(decomposed) if unicodedata.combining(c)}
    return " ".join(decomposed.translate(marks).lower().split())


def person_name(user) -> str:
    """A staff member as people call them: full name, family name first as Vietnamese write it
    (Django keeps `last_name` for the family name). The login is the last resort, for an account
    whose names were never filled in."""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


def as_written(value: str) -> str:
    """A value as it is stored and compared: the same text typed on another keyboard (composed or
    decomposed diacritics, doubled spaces) reads the same."""
    return unicodedata.normalize("NFC", " ".join(value.split()))


# --- What typed text must look like ---------------------------------------------------------------

# Letters, digits, punctuation and symbols show on a page; separators, controls, format characters
# (zero-width joiners, right-to-left marks), private-use and unassigned code points do not, and a
# combining mark shows only on a letter.
_VISIBLE = frozenset("LNPS")


def has_visible_text(text: str) -> bool:
    return any(unicodedata.category(c)[0] in _VISIBLE for c in text)


def invisible_only(text: str) -> bool:
    """Non-empty text that a reader would see as blank."""
    return bool(text) and not has_visible_text(text)


def text_errors(
    errors: dict[str, list[str]],
    values: dict[str, str],
    *,
    required: tuple[str, ...] = (),
    codes: dict[str, list[str]] | None = None,
) -> None:
    """Free text is text a reader can see: a required field needs a visible character, and an optional
    one is either empty or has one (zero-width, right-to-left marks or other invisible characters alone
    are refused: the record would look blank while it is not). Their code is `not_visible` (in `codes`
    when given): what is visible is a matter of Unicode categories, which a schema's pattern cannot say.
    Values are taken as stored (without surrounding spaces); a field already refused in `errors` (blank,
    too long) keeps that one refusal."""
    codes = {} if codes is None else codes
    for name, value in values.items():
        if name in errors:
            continue
        value = value.strip()
        if name in required and not has_visible_text(value):
            errors.setdefault(name, []).append(_("This field needs at least one visible character."))
            codes.setdefault(name, []).append("not_visible")
        elif name not in required and invisible_only(value):
            errors.setdefault(name, []).append(
                _("Only invisible characters: leave it empty or write the text.")
            )
            codes.setdefault(name, []).append("not_visible")


_PHONE_SEPARATORS = str.maketrans("", "", " .-()")


def looks_like_phone(value: str) -> bool:
    """A telephone number as people write it: digits grouped by spaces, dots, dashes or brackets, an
    optional leading + (international), 8 to 15 digits in all (E.164 allows 15; a Vietnamese landline
    with its area code has 11, a mobile 10)."""
    bare = value.translate(_PHONE_SEPARATORS)
    digits = bare[1:] if bare.startswith("+") else bare
    return digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 15


def looks_like_id_number(value: str, *, organization: bool = False) -> bool:
    """A citizen's identity number: 12 digits (citizen identity card, căn cước), 9 digits (the old
    identity card, CMND) or a passport number (one or two letters and 6 to 8 digits). An organization's:
    its tax code, 10 digits (a branch adds -NNN) or 13."""
    if not value.isascii():
        return False
    if organization:
        head, _sep, branch = value.partition("-")
        if branch:
            return len(head) == 10 and head.isdigit() and len(branch) == 3 and branch.isdigit()
        return value.isdigit() and len(value) in (10, 13)
    if value.isdigit():
        return len(value) in (9, 12)
    letters = len(value) - len(value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    digits = value[letters:]
    return 1 <= letters <= 2 and digits.isdigit() and 6 <= len(digits) <= 8


def as_boolean(raw) -> bool | None:
    """A yes/no as forms and JSON send it (true/false, 1/0, on/off, yes/no, empty for no); None when
    `raw` is none of those."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).lower()
    if text in ("true", "1", "on", "yes"):
        return True
    if text in ("false", "0", "off", "no", ""):
        return False
    return None


def as_whole_number(raw) -> int | None:
    """A whole number as forms and JSON send it: an int (not a bool), or ASCII digits with no sign,
    point or exponent; None for anything else (the caller says what range it wants)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    return int(text) if text.isascii() and text.isdigit() else None


_DECIMAL_TEXT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")


def as_decimal(raw, *, places: int, digits: int) -> Decimal | None:
    """A non-negative amount with at most `places` decimals and `digits` digits in all, as forms and
    JSON send it: an int, a JSON number (read back as its shortest decimal form, which is what was
    typed), or text of ASCII digits with a point for the decimals ("12.5"). None for anything else: a
    sign, a comma, an exponent, NaN or infinity, too many decimals (never rounded away) or too many
    digits."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        text = format(raw, "f") if raw.is_finite() else ""
    else:
        text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    whole, _point, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > places or len(whole.lstrip("0")) > digits - places:
        return None
    return Decimal(text)
