"""In-app notifications over the API: /api/v1/notifications/ (registered by api/urls.py's router).

GET lists the caller's own notifications (`?unread=true` for unread only); POST {id}/read/ marks one
read; POST read-all/ marks them all read. Nobody sees another user's notifications: they are simply
not found.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from casework.confidentiality import scrub

from . import services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True, default=None)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "case",
            "case_reference",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def to_representation(self, notification: Notification) -> dict:
        # A notice about a denunciation never names the denouncer to a staff reader who may not see them.
        data = super().to_representation(notification)
        user = self.context["request"].user
        for name in ("subject", "body"):
            data[name] = scrub(data[name], notification.case, user)
        return data


def _unread_only(value: str | None) -> bool:
    """`?unread=true|false` (or 1/0); absent means all. Anything else is an error, not "all"."""
    if value is None:
        return False
    parsed = {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    if parsed is None:
        raise ValidationError({"unread": [_("Must be true or false.")]})
    return parsed


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []  # the only filter is ?unread=, applied in get_queryset
    ordering = "-id"  # newest first; a unique key, as cursor pagination needs
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        inbox = services.inbox(
            self.request.user, unread_only=_unread_only(self.request.query_params.get("unread"))
        )
        return inbox.select_related("case__unit").prefetch_related("case__case_parties__party")

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only notifications not yet read")]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk=None) -> Response:
        try:
            notification = services.mark_read(user=request.user, notification_id=int(pk))
        except (Notification.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(user=request.user)})
