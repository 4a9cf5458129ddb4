#!/bin/sh
# Roles of the one image: web (gunicorn), worker, beat, migrate, manage <args>, owner-manage <args>
# (a management command as the owner of the tables: backup, restore), or any command.
set -eu

case "${1:-web}" in
  web)
    # Workers, threads, keep-alive and logs: config/gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_*).
    export GUNICORN_ACCESS_LOG="${GUNICORN_ACCESS_LOG--}"
    exec gunicorn --config config/gunicorn.conf.py config.wsgi:application
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
    # Migrations run as the role that owns the tables (DATABASE_OWNER_URL); setup_roles then gives
    # the application's role (DATABASE_URL) DML only, so it can never truncate or unprotect the audit
    # trail. Without DATABASE_OWNER_URL one role does everything (not recommended in production).
    if [ -n "${DATABASE_OWNER_URL:-}" ]; then
      DATABASE_URL="$DATABASE_OWNER_URL" python manage.py migrate --noinput
      exec python manage.py setup_roles
    fi
    exec python manage.py migrate --noinput
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  owner-manage)
    shift
    DATABASE_URL="${DATABASE_OWNER_URL:-$DATABASE_URL}" exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
