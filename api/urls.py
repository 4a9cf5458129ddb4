"""URLs of /api/v1/. Other apps add their viewsets to `router` below (see the marked section)."""

from django.urls import include, path, register_converter
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
# The cases first: a request's path is tried against the routes in order, and the case list and
# detail are most of the API's requests (no other prefix overlaps "cases/").
router.register("cases", views.CaseViewSet, basename="case")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("dialogues", views.DialogueViewSet, basename="dialogue")
router.register("calendar/days-off", views.CalendarDayViewSet, basename="calendar-day")
router.register("access-log", views.AccessLogViewSet, basename="access-log")

# --- Registrations by other apps ------------------------------------------------------------------
# Each app keeps its viewset in its own package and registers it here, e.g.
#   from notifications.api import NotificationViewSet
#   router.register("notifications", NotificationViewSet, basename="notification")
# (GET /api/v1/notifications/ ...). Use api.pagination / api.exceptions conventions: they apply by
# default through settings.REST_FRAMEWORK.
# --------------------------------------------------------------------------------------------------
from notifications.api import NotificationViewSet  # noqa: E402

router.register("notifications", NotificationViewSet, basename="notification")

from .documents import CaseDocumentsView, DocumentViewSet, VisitDocumentsView  # noqa: E402

router.register("documents", DocumentViewSet, basename="document")

from .conferences import ConferenceViewSet  # noqa: E402

router.register("conferences", ConferenceViewSet, basename="conference")

from . import public  # noqa: E402
from .public_figures import PublicRatingView, PublicStatisticsView  # noqa: E402


class ReferenceConverter:
    """A case reference, "<unit code>/<year>/<number>": slashes included, nothing after the number, so
    routes such as .../documents/<id>/ (or .../rating/) below a reference stay apart."""

    regex = r"[A-Za-z0-9_-]+/[0-9]{4}/[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

public_urlpatterns = [
    path("submissions/", public.SubmissionView.as_view(), name="public-submissions"),
    path("cases/<reference:reference>/", public.CitizenCaseView.as_view(), name="public-case"),
    path(
        "cases/<reference:reference>/documents/<int:document_id>/",
        public.CitizenDocumentView.as_view(),
        name="public-case-document",
    ),
    path("units/", public.UnitSearchView.as_view(), name="public-units"),
]

urlpatterns = [
    path("public/", include(public_urlpatterns)),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("public/statistics/", PublicStatisticsView.as_view(), name="public-statistics"),
    path("public/cases/<reference:reference>/rating/", PublicRatingView.as_view(), name="public-rating"),
    path("me/", views.MeView.as_view(), name="me"),
    path("reports/", include("api.reports_urls")),
    path("cases/<int:pk>/documents/", CaseDocumentsView.as_view(), name="case-documents"),
    path("visits/<int:pk>/documents/", VisitDocumentsView.as_view(), name="visit-documents"),
    # The actions' routes below their common prefix (the same paths and names): a path that is not an
    # action's, such as a case's detail, is no longer tried against each of the twenty in turn.
    path(
        "cases/<int:pk>/actions/",
        include(
            [
                path(f"{name}/", view.as_view(), name=f"case-action-{name}")
                for name, view in views.ACTION_VIEWS.items()
            ]
        ),
    ),
    path("", include(router.urls)),
]
