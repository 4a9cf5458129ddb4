from django.urls import path

from . import feedback, views

app_name = "public"

# Mounted at /cong-dan/ ("citizen"): plain-ASCII Vietnamese paths a citizen can type and read aloud.
urlpatterns = [
    path("", views.home, name="home"),
    # Issue 15, beside submitting and following: rate the service, published figures, conferences.
    path("danh-gia/", feedback.rate, name="rate"),
    path("so-lieu/", feedback.figures_index, name="figures-index"),
    path("so-lieu/<slug:code>/", feedback.figures, name="figures"),
    path("doi-thoai/", feedback.conference_list, name="conferences"),
    path("doi-thoai/<int:conference_id>/", feedback.conference_page, name="conference"),
    path("co-quan/", views.units, name="units"),
    path("gui-don/", views.submit, name="submit"),
    path("bien-nhan/", views.receipt, name="receipt"),
    path("bien-nhan/xong/", views.receipt_done, name="receipt-done"),
    path("theo-doi/", views.follow, name="follow"),
    path("theo-doi/van-ban/<int:document_id>/", views.follow_document, name="follow-document"),
]
