from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from casework.views import reception_book_view

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/reception-book/", reception_book_view, name="reception-book"),
    path("admin/", admin.site.urls),
]
