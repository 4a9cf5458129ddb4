"""How staff type a name they look for: lower case, without Vietnamese diacritics, spaces collapsed.

"Nguyễn Văn Đức", "NGUYEN VAN DUC" and "nguyen  van duc" all fold to "nguyen van duc", on SQLite
(whose LOWER/LIKE only know ASCII) as on PostgreSQL.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    # đ/Đ is a letter of its own, not d with a combining mark, so NFD would leave it alone.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


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
