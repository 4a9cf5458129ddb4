from django.urls import path

from . import feedback, views

app_name = "public"

# Mounted at /cong-dan/ ("citizen"): a plain-ASCII Vietnamese prefix a citizen can type and read aloud.
urlpatterns = [
    path("", views.home, name="home"),
    # Issue 15, beside submitting and following: rate the service, published figures, conferences.
    path("danh-gia/", feedback.rate, name="rate"),
    path("so-lieu/", feedback.figures_index, name="figures-index"),
    path("so-lieu/<slug:code>/", feedback.figures, name="figures"),
    path("doi-thoai/", feedback.conference_list, name="conferences"),
    path("doi-thoai/<int:conference_id>/", feedback.conference_page, name="conference"),
]
