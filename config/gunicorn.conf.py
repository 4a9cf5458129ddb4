"""gunicorn settings for the web role (docker/entrypoint.sh, bench/http_bench.py): `gunicorn -c
config/gunicorn.conf.py config.wsgi:application`. Every value can be set from the environment.

Chosen by measurement on 2 cores shared with PostgreSQL (bench/HTTP_RESULTS.md, "gunicorn settings"):

- `sync` workers, WEB_CONCURRENCY of them (default: 2 per core). The requests are Python under the
  GIL plus PostgreSQL on the same cores. `gthread` workers keep client connections alive (the sync
  worker closes each after its answer), which saved about a millisecond of worker CPU per request on
  sequential calls, but under 20 clients their p95 was worse (a kept-alive connection stays with one
  worker, and two threads of a worker wait on each other's Python): GUNICORN_WORKER_CLASS=gthread
  with GUNICORN_THREADS and GUNICORN_KEEPALIVE selects them where a proxy keeps upstream connections.
  Measured again in session 8 (1 thread, keep-alive 5 s, 20 clients): the same worker CPU per request
  as sync (case detail 13.1 ms both), p95 3–4× worse.
- No access log by default (GUNICORN_ACCESS_LOG=- writes it to stdout, as docker/entrypoint.sh does):
  the reverse proxy in front logs the requests too.
- No `preload_app`: config.wsgi checks the demo passwords against the database at import, and a
  connection opened in the master would be shared by every forked worker.
"""

import gc
import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # gthread only
# gthread only: seconds an idle kept-alive connection stays open.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# A worker is replaced after this many requests (plus jitter), which bounds any slow growth of memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))


def post_worker_init(worker) -> None:
    """Once the worker has loaded the application: what loading made (modules, settings, URL patterns,
    translations, ~145,000 objects) lives as long as the worker, so it is moved out of the garbage
    collector's reach. A full collection walked all of it, 113–150 ms about every 100 requests (about
    1 ms per list request; bench/LISTS_RESULTS.md, session 8)."""
    gc.freeze()
