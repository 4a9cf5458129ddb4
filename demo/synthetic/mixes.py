"""What the synthetic cases are made of: the kind, channel, intake and outcome mixes, and names."""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from casework.choices import CaseKind, Channel, FileReason, RejectReason

# Every synthetic row is marked: unit codes and usernames start with it.
PREFIX = "syn-"


class Mix:
    """A weighted choice with its cumulative weights computed once."""

    def __init__(self, weighted: list[tuple[Any, int]]):
        self.values = [v for v, _w in weighted]
        self.cum = list(accumulate(w for _v, w in weighted))
        self.total = self.cum[-1]

    def without(self, value: Any) -> Mix:
        return Mix([(v, w) for v, w in zip(self.values, self.weights(), strict=True) if v != value])

    def weights(self) -> list[int]:
        return [b - a for a, b in zip([0, *self.cum], self.cum, strict=False)]


KIND_MIX = Mix(
    [
        (CaseKind.COMPLAINT, 35),
        (CaseKind.DENUNCIATION, 12),
        (CaseKind.RECOMMENDATION, 30),
        (CaseKind.REFLECTION, 23),
    ]
)
CHANNEL_MIX = Mix(
    [
        (Channel.IN_PERSON, 35),
        (Channel.POST, 33),
        (Channel.ONLINE, 17),
        (Channel.PHONE, 2),
        (Channel.FORWARDED, 13),
    ]
)
# What classification decides, per kind (weights). Transfers only where another unit exists.
INTAKE_MIX = {  # Mix-ed below
    CaseKind.COMPLAINT: [
        ("transfer", 8),
        ("guide", 7),
        ("file", 6),
        ("reject", 6),
        ("withdraw", 1),
        ("accept", 72),
    ],
    CaseKind.DENUNCIATION: [
        ("transfer", 12),
        ("guide", 3),
        ("file", 15),
        ("reject", 5),
        ("withdraw", 1),
        ("accept", 64),
    ],
    CaseKind.RECOMMENDATION: [("transfer", 10), ("guide", 8), ("file", 5), ("withdraw", 1), ("accept", 76)],
    CaseKind.REFLECTION: [("transfer", 10), ("guide", 8), ("file", 5), ("withdraw", 1), ("accept", 76)],
}
INTAKE_MIX = {k: Mix(v) for k, v in INTAKE_MIX.items()}
# Where the province has no other unit, and for cases that were themselves transferred.
INTAKE_NO_TRANSFER = {k: m.without("transfer") for k, m in INTAKE_MIX.items()}
ROUND_2_MIX = Mix([("reject", 10), ("accept", 90)])
OUTCOME_MIX = {
    CaseKind.COMPLAINT: [("right", 14), ("partly_right", 21), ("wrong", 65)],
    CaseKind.DENUNCIATION: [("true", 18), ("partly_true", 27), ("untrue", 55)],
    CaseKind.RECOMMENDATION: [("answered", 1)],
    CaseKind.REFLECTION: [("answered", 1)],
}
OUTCOME_MIX = {k: Mix(v) for k, v in OUTCOME_MIX.items()}
SUMMARIES = {
    CaseKind.COMPLAINT: [
        "Khiếu nại quyết định thu hồi đất",
        "Khiếu nại về bồi thường, hỗ trợ, tái định cư",
        "Khiếu nại quyết định xử phạt vi phạm hành chính",
        "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất",
        "Khiếu nại quyết định kỷ luật cán bộ",
    ],
    CaseKind.DENUNCIATION: [
        "Tố cáo cán bộ địa chính nhũng nhiễu",
        "Tố cáo sai phạm trong quản lý đất công",
        "Tố cáo vi phạm trong đấu thầu",
        "Tố cáo lạm dụng chức vụ, quyền hạn",
    ],
    CaseKind.RECOMMENDATION: [
        "Kiến nghị sửa chữa đường giao thông nông thôn",
        "Kiến nghị giải quyết ô nhiễm môi trường",
        "Kiến nghị về chế độ chính sách người có công",
    ],
    CaseKind.REFLECTION: [
        "Phản ánh tình trạng lấn chiếm vỉa hè",
        "Phản ánh tiếng ồn từ cơ sở sản xuất",
        "Phản ánh thái độ phục vụ của cán bộ một cửa",
    ],
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
]
FILE_REASONS = [r for r in FileReason.values if r != FileReason.ANONYMOUS]
REJECT_REASONS = [RejectReason.NOT_AFFECTED, RejectReason.LIMITATION_EXPIRED, RejectReason.COURT_SEIZED]


def pick(rng: random.Random, mix: Mix) -> Any:
    return mix.values[bisect_right(mix.cum, rng.random() * mix.total)]


# The random module's choice and randint draw bits until a value fits; a scaled random() is several
# times cheaper, and a million cases make tens of millions of draws.
def choice(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, a: int, b: int) -> int:
    """a <= n <= b"""
    return a + int(rng.random() * (b - a + 1))


def randrange(rng: random.Random, a: int, b: int | None = None) -> int:
    """a <= n < b (0 <= n < a with one argument)"""
    if b is None:
        a, b = 0, a
    return a + int(rng.random() * (b - a))
