"""Citizen-facing pages. Views parse input and render; every rule is in casework/ or workflows/."""

from __future__ import annotations

from django.shortcuts import render


def home(request):
    return render(request, "public/home.html")
