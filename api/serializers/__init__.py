"""Serializers: request shapes mapped onto the service inputs, and representations of the results,
one module per resource.

No business rule lives here. Request serializers check types, lengths and that referenced objects
exist within the user's reach; the services (workflows.intake, workflows.service, casework.services)
decide everything else. Output serializers read what the view prefetched; what a user may see of a
denouncer, in structured fields and in free text, is casework.confidentiality's answer.
"""

from .calendar import CalendarChangeSerializer, CalendarDaySerializer
from .cases import (
    ACTION_SERIALIZERS,
    ActionSerializer,
    CaseBodySerializer,
    CaseBriefSerializer,
    CaseCreateSerializer,
    CaseEventSerializer,
    CaseSerializer,
    action_serializer,
)
from .common import (
    MAX_BIGINT,
    MAX_INT,
    AccessLogSerializer,
    DeadlineSerializer,
    IntakeFlagSerializer,
    RecentDateTimeField,
    ScopedFieldsMixin,
    TokenRequestSerializer,
    TokenSerializer,
    request_context,
)
from .dialogues import DialogueCreateSerializer, DialogueSerializer
from .people import (
    CasePetitionerSerializer,
    PetitionerInputSerializer,
    PetitionerRecordSerializer,
    PetitionerSerializer,
)
from .units import MembershipUnitSerializer, MeSerializer, UnitSerializer
from .visits import VisitCreateSerializer, VisitSerializer

__all__ = [
    "ACTION_SERIALIZERS",
    "MAX_BIGINT",
    "MAX_INT",
    "AccessLogSerializer",
    "ActionSerializer",
    "CalendarChangeSerializer",
    "CalendarDaySerializer",
    "CaseBodySerializer",
    "CaseBriefSerializer",
    "CaseCreateSerializer",
    "CaseEventSerializer",
    "CasePetitionerSerializer",
    "CaseSerializer",
    "DeadlineSerializer",
    "DialogueCreateSerializer",
    "DialogueSerializer",
    "IntakeFlagSerializer",
    "MeSerializer",
    "MembershipUnitSerializer",
    "PetitionerInputSerializer",
    "PetitionerRecordSerializer",
    "PetitionerSerializer",
    "RecentDateTimeField",
    "ScopedFieldsMixin",
    "TokenRequestSerializer",
    "TokenSerializer",
    "UnitSerializer",
    "VisitCreateSerializer",
    "VisitSerializer",
    "action_serializer",
    "request_context",
]
