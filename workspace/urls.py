from django.contrib.auth import views as auth_views
from django.urls import path

from .views import attachments, board, case, conferences, desk, documents, home, inbox, search

app_name = "workspace"

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="workspace/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="workspace:login"), name="logout"),
    path("notifications/", inbox.inbox, name="inbox"),
    path("notifications/<int:notification_id>/read/", inbox.mark_read, name="notification-read"),
    path("notifications/read-all/", inbox.mark_all_read, name="notifications-read-all"),
    path("search/", search.search, name="search"),
    path("board/", board.board, name="board"),
    path("conferences/", conferences.conference_list, name="conferences"),
    path("conferences/<int:conference_id>/", conferences.conference_page, name="conference"),
    path("cases/<int:case_id>/", case.case_page, name="case"),
    path("cases/<int:case_id>/actions/<slug:action>/", case.case_action, name="case-action"),
    path("cases/<int:case_id>/dialogues/new/", case.case_dialogue, name="case-dialogue"),
    path(
        "cases/<int:case_id>/documents/<slug:code>/",
        documents.case_document_issue,
        name="case-document-issue",
    ),
    path(
        "documents/<int:document_id>.<slug:fmt>",
        documents.document_download,
        name="document-download",
    ),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="case-attachment",
    ),
    path("desk/", desk.desk, name="desk"),
    path("desk/people/", desk.lookup, name="desk-lookup"),
    path("desk/check/", desk.check, name="desk-check"),
    path("desk/case-form/", desk.case_form, name="desk-case-form"),
    path("desk/visits/", desk.visits, name="desk-visits"),
    path("desk/visits/<int:visit_id>/", desk.visit_page, name="desk-visit"),
    path("desk/visits/<int:visit_id>/receipt/", desk.receipt, name="desk-receipt"),
    path(
        "desk/visits/<int:visit_id>/documents/<slug:code>/",
        documents.visit_document_issue,
        name="visit-document-issue",
    ),
]
