"""The parts of an administrative document laid out by Decree 30/2020/NĐ-CP (Appendix I): the issuing
body, the national motto, number and symbol, place and date, the kind and subject, the body, "Nơi
nhận" and the signature block (with "TM." / "KT." where they apply).

A `Paper` is plain data (JSON on the Document); the DOCX and the PDF are both drawn from it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from casework.models import Unit
from casework.text import fold

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"

_UBND = re.compile(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+", re.IGNORECASE)
_LOCALITY = re.compile(
    r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+"
    r"(tỉnh|thành phố|phường|xã|thị trấn|đặc khu|huyện|quận|thị xã)\s+",
    re.IGNORECASE,
)


@dataclass
class Block:
    """A paragraph of the body. `lead` is a bold opening ("Điều 1.", "1."); `style` one of
    "p" (justified, first line indented), "center", "heading" (bold), "line" (a dotted line to fill)."""

    text: str
    lead: str = ""
    style: str = "p"


@dataclass
class Signature:
    authority: str = ""  # "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH"
    title: str = ""  # "CHỦ TỊCH" / "PHÓ CHỦ TỊCH"
    name: str = ""
    note: str = "(Ký, ghi rõ họ tên, đóng dấu)"


@dataclass
class Paper:
    issuer: str
    symbol: str
    place_date: str
    kind_title: str
    subject: str = ""
    issuer_parent: str = ""
    form_number: str = ""
    preamble: list[str] = field(default_factory=list)
    addressee: str = ""
    body: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    # Minutes: several people sign side by side (the main signature is then left empty).
    signatures: list[Signature] = field(default_factory=list)
    corrects: str = ""  # "Thay thế văn bản số ..." when this document corrects another

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Paper:
        data = dict(data)
        data["body"] = [Block(**b) for b in data.get("body", [])]
        data["signature"] = Signature(**data.get("signature", {}))
        data["signatures"] = [Signature(**s) for s in data.get("signatures", [])]
        return cls(**data)

    def texts(self) -> list[str]:
        """Every string of the paper, in reading order (for checks and search)."""
        out = [self.form_number, self.issuer_parent, self.issuer, self.symbol, MOTTO_1, MOTTO_2]
        out += [self.place_date, self.kind_title, self.subject, *self.preamble, self.addressee, self.corrects]
        out += [f"{b.lead} {b.text}" for b in self.body]
        out += ["Nơi nhận:", *self.recipients]
        for s in [self.signature, *self.signatures]:
            out += [s.authority, s.title, s.name]
        return [t for t in out if t]


def paper_date(on: date) -> str:
    """ "ngày 05 tháng 3 năm 2026": days below 10 and the months January and February take a leading
    zero (Decree 30/2020, Appendix I, 1.4)."""
    month = f"{on.month:02d}" if on.month < 3 else str(on.month)
    return f"ngày {on.day:02d} tháng {month} năm {on.year}"


def dmy(on: date | None) -> str:
    return f"{on:%d/%m/%Y}" if on else "..../..../........"


def issuer_name(unit: Unit) -> str:
    """The issuing body as printed, upper case: "ỦY BAN NHÂN DÂN PHƯỜNG CAM ĐƯỜNG"."""
    return _UBND.sub("Ủy ban nhân dân ", unit.name).upper()


def parent_name(unit: Unit) -> str:
    """The governing body printed above an agency (a department under the provincial committee)."""
    if unit.level.is_agency and unit.parent_id:
        return issuer_name(unit.parent)
    return ""


def is_people_committee(unit: Unit) -> bool:
    return bool(_UBND.match(unit.name))


def unit_symbol(unit: Unit) -> str:
    """The issuer's abbreviation in a document symbol: UBND for a people's committee, otherwise the
    initials of the name ("Sở Xây dựng" → SXD, "Thanh tra tỉnh" → TTT)."""
    if is_people_committee(unit):
        return "UBND"
    words = [w for w in unit.name.split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words)[:10] or "CQ"


def place_name(unit: Unit) -> str:
    """Where the paper is dated: the locality of the committee, or of the agency's parent."""
    node = unit
    while node is not None:
        if _LOCALITY.match(node.name):
            return _LOCALITY.sub("", node.name).strip()
        node = node.parent
    return unit.name


def head_title(unit: Unit) -> str:
    """The title of the unit's head as signed: CHỦ TỊCH, GIÁM ĐỐC, CHÁNH THANH TRA, THỦ TRƯỞNG."""
    name = fold(unit.name)
    if is_people_committee(unit):
        return "CHỦ TỊCH"
    if name.startswith("so "):
        return "GIÁM ĐỐC"
    if name.startswith("thanh tra"):
        return "CHÁNH THANH TRA"
    return "THỦ TRƯỞNG"


def number_symbol(number: int, document_kind: str, unit: Unit) -> str:
    """ "05/TB-UBND": numbers below 10 take a leading zero (Decree 30/2020, Appendix I, 1.3)."""
    return f"{number:02d}/{document_kind}-{unit_symbol(unit)}"
