from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backoffice.dashboard import monitor_dashboard
from backoffice.reception_book import reception_book_view

# The admin index shows a "Monitoring" box (dashboard link) to monitors, unit heads and administrators.
admin.site.index_template = "admin/casework/index_reports.html"

urlpatterns = [
    path("admin/reception-book/", reception_book_view, name="reception-book"),
    path("admin/dashboard/", monitor_dashboard, name="monitor-dashboard"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's bundled assets: it works on a network without internet.
    # The split view serves its start-up script as a file (?script): no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("open311/v2/", include("api.open311")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The citizens' pages (no login): submit online, follow a case. Before the workspace's catch-all root.
    path("cong-dan/", include("public.urls")),
    # The staff workspace at the root: sign-in, each role's home, desk, case pages, inbox.
    path("", include("workspace.urls")),
]

# JSON (not an HTML page) for unknown URLs under /api/ and /open311/.
handler404 = "api.exceptions.not_found"
