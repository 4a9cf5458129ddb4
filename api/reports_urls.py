"""/api/v1/reports/...: mounted from api/urls.py with path("reports/", include("api.reports_urls"))."""

from django.urls import path

from . import reports
from .conferences import ConferenceReportView

urlpatterns = [
    path("resolution-rates/", reports.ResolutionRatesView.as_view(), name="report-resolution-rates"),
    path("outcomes/", reports.OutcomesView.as_view(), name="report-outcomes"),
    path("reception/", reports.ReceptionView.as_view(), name="report-reception"),
    path("overdue/", reports.OverdueView.as_view(), name="report-overdue"),
    path("satisfaction/", reports.SatisfactionView.as_view(), name="report-satisfaction"),
    path("conferences/", ConferenceReportView.as_view(), name="report-conferences"),
    path("statistics/<str:form>/", reports.StatisticsFormView.as_view(), name="report-statistics"),
]
