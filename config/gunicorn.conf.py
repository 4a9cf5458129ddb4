"""gunicorn settings for the web role (docker/entrypoint.sh, bench/http_bench.py): `gunicorn -c
config/gunicorn.conf.py config.wsgi:application`. Every value can be set from the environment.

Chosen by measurement on 2 cores shared with PostgreSQL (bench/HTTP_RESULTS.md):

- `gthread` workers, so a client's connection is kept alive between its requests: the sync worker
  closes it after each answer, and the new TCP connection for every API call cost the worker about a
  millisecond of CPU per request, the client and the kernel as much again.
- WEB_CONCURRENCY processes (default: 2 per core), GUNICORN_THREADS threads each (default 2): the
  work is Python (the GIL) and PostgreSQL on the same cores, so more processes than that only add
  switching; a second thread overlaps one request's database wait with another's Python.
- No access log by default (GUNICORN_ACCESS_LOG=- writes it to stdout): a reverse proxy in front logs
  the requests anyway, and a line per request costs the worker a formatted write.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * multiprocessing.cpu_count())))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Seconds an idle kept-alive connection stays open; the proxy in front should keep its own shorter.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# A worker is replaced after this many requests (plus jitter), which bounds any slow growth of memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
