"""config/gunicorn.conf.py, loaded as gunicorn loads it (a file of settings and hooks)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"


def test_a_worker_keeps_what_loading_made_out_of_the_garbage_collectors_reach(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(CONFIG))
    assert settings["workers"] == 3 and settings["worker_class"] == "sync"
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
