"""Celery tasks of casework, run by beat (schedule: CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from .reports import summary


@shared_task(
    name="casework.refresh_report_summaries",
    autoretry_for=(DatabaseError,),
    retry_backoff=10,
    retry_backoff_max=300,
    max_retries=3,
    ignore_result=True,
)
def refresh_report_summaries(full: bool = False) -> dict[str, Any]:
    """Bring the report summaries up to date (casework.reports.summary.refresh)."""
    return summary.refresh(full=full).as_dict()
