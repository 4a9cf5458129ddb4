from django.urls import path

from . import views

app_name = "public"

# Mounted at /cong-dan/ ("citizen"): a plain-ASCII Vietnamese prefix a citizen can type and read aloud.
urlpatterns = [
    path("", views.home, name="home"),
]
