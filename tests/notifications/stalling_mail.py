"""An email backend for tests/integration/test_worker_crash_postgres.py's worker subprocess: the mail
server accepts the message (Django's file-based backend writes it under EMAIL_FILE_PATH), then, when
MAIL_STALL_AFTER_SEND=1, the worker freezes right there — after the hand-off, before the relay can
record it — until the test kills it."""

from __future__ import annotations

import os
import threading

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)  # written and flushed: the server has it
        if os.environ.get("MAIL_STALL_AFTER_SEND") == "1":
            threading.Event().wait()  # never set: only SIGKILL ends this
        return sent
