from django.urls import path

from . import views

app_name = "public"

# Mounted at /cong-dan/ ("citizen"): plain-ASCII Vietnamese paths a citizen can type and read aloud.
urlpatterns = [
    path("", views.home, name="home"),
    path("co-quan/", views.units, name="units"),
    path("gui-don/", views.submit, name="submit"),
    path("bien-nhan/", views.receipt, name="receipt"),
    path("bien-nhan/xong/", views.receipt_done, name="receipt-done"),
    path("theo-doi/", views.follow, name="follow"),
    path("theo-doi/van-ban/<int:document_id>/", views.follow_document, name="follow-document"),
]
