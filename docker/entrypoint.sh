#!/bin/sh
# Roles of the one image: web (gunicorn), worker, beat, migrate, manage <args>, or any command.
set -eu

case "${1:-web}" in
  web)
    exec gunicorn config.wsgi:application \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --access-logfile - --error-logfile -
    ;;
  worker)
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "worker@%h"
    ;;
  beat)
    # Beat is a single instance; its schedule state file is CELERY_BEAT_SCHEDULE_FILENAME (settings:
    # under VAR_DIR, inside the container) and is recomputed if lost.
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-INFO}"
    ;;
  migrate)
    exec python manage.py migrate --noinput
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
