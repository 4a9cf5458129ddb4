#!/usr/bin/env python
"""Rehearse docker/compose.yaml on a host that has no container engine (CI runs this).

Runs every role of docker/entrypoint.sh the way the compose file does (production settings,
PostgreSQL, Redis as the broker, gunicorn, a Celery worker and beat), with the image's build step
(collectstatic) in between, and checks what the stack must do:

1. ``migrate`` applies every migration to an empty PostgreSQL database as the owner of the tables
   (DATABASE_OWNER_URL) and gives the application's own role (DATABASE_URL) DML only: that role then
   cannot truncate the audit trail;
2. ``web`` refuses to start while the demo logins keep their demo password;
3. once they are changed, web, worker and beat run together: the web healthcheck URL answers, static
   files are served by WhiteNoise, the worker answers the healthcheck ping, and a case walked through
   intake, review, acceptance and assignment over the API yields the handler's in-app notification,
   delivered by the worker through Redis;
4. SIGTERM stops all three;
5. ``owner-manage backup`` and ``restore`` (as the owner) copy the database to a fresh one with the
   same audit trail.

    docker/rehearse.py --database-url postgres://tiepdan:tiepdan@127.0.0.1:5432/postgres \
                       --redis-url redis://127.0.0.1:6379/14

The database named ``tiepdan_rehearsal`` (``--database``) on that server is dropped and created
afresh, and so is the role ``<database>_app``; the server URL's role owns the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = str(ROOT / "docker" / "entrypoint.sh")
DEFAULT_DATABASE = "tiepdan_rehearsal"
STAFF_PASSWORD = "rehearsal-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def run(
    env: dict[str, str], *args: str, check: bool = True, timeout: int = 300
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [ENTRYPOINT, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        sys.stdout.write(result.stdout + result.stderr)
        raise SystemExit(f"entrypoint {' '.join(args)} failed with status {result.returncode}")
    return result


def recreate_database(server_url: str, database: str) -> tuple[str, str]:
    """A fresh database owned by the server URL's role, and a fresh application role with no
    privileges yet (the migrate role grants them); returns (owner URL, runtime URL)."""
    import psycopg
    from psycopg import sql

    role, password = f"{database}_app", secrets.token_hex(16)
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    owner = urlsplit(server_url)._replace(path=f"/{database}")
    host = owner.netloc.rpartition("@")[2]
    runtime = owner._replace(netloc=f"{role}:{password}@{host}")
    return urlunsplit(owner), urlunsplit(runtime)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Api:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {path} -> {error.code}: {error.read().decode()[:2000]}") from None

    def token(self, username: str) -> str:
        return self.call("POST", "/api/v1/auth/token/", {"username": username, "password": STAFF_PASSWORD})[
            "token"
        ]

    def act(self, case: dict, action: str, token: str, **fields) -> dict:
        body = {"version": case["version"], "note": "rehearsal", **fields}
        return self.call("POST", f"/api/v1/cases/{case['id']}/actions/{action}/", body, token)


def wait_for(url: str, seconds: float, stack: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack is not None and stack.poll() is not None:
            raise SystemExit(f"the stack exited with status {stack.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within {seconds:.0f} s")


def rehearse(server_url: str, redis_url: str, database: str = DEFAULT_DATABASE) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="tiepdan-rehearsal-"))
    port = free_port()
    owner_url, runtime_url = recreate_database(server_url, database)
    env = {
        **os.environ,
        # The image's PATH: gunicorn, celery and python from the installed environment.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": runtime_url,
        "CELERY_BROKER_URL": redis_url,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_COOKIES": "0",
        "VAR_DIR": str(var_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "2",
        "NOTIFY_RELAY_INTERVAL_SECONDS": "5",
    }
    flush_redis(redis_url)
    base = f"http://127.0.0.1:{port}"

    step("migrate on an empty PostgreSQL database as the owner (the compose file's one-off service)")
    run({**env, "DATABASE_OWNER_URL": owner_url}, "migrate")
    step("the application's role cannot truncate the audit trail or replace its trigger function")
    for statement in (
        "TRUNCATE casework_caseevent",
        "CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger AS $$ BEGIN RETURN NEW; END; "
        "$$ LANGUAGE plpgsql",
    ):
        refused = run(
            env,
            "manage",
            "shell",
            "-c",
            f"from django.db import connection\nconnection.cursor().execute({statement!r})",
            check=False,
        )
        if refused.returncode == 0 or "InsufficientPrivilege" not in refused.stderr:
            sys.stdout.write(refused.stdout + refused.stderr)
            raise SystemExit(f"the application's role was allowed: {statement}")
    run(env, "manage", "load_demo")
    step("collectstatic (the image's build step)")
    run(env, "manage", "collectstatic", "--noinput")

    step("web refuses to start while the demo logins keep the demo password")
    refused = run(env, "web", check=False, timeout=60)
    output = refused.stdout + refused.stderr
    if refused.returncode == 0 or "demo logins still use the demo password" not in output:
        sys.stdout.write(output)
        raise SystemExit("web started with demo credentials")

    step("change every password, then start web, worker and beat together")
    run(
        env,
        "manage",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "for user in get_user_model().objects.all():\n"
        f"    user.set_password({STAFF_PASSWORD!r}); user.save()",
    )
    stack = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bin" / "devserver.py"),
            "--grace",
            "20",
            *(f"--proc={role}={ENTRYPOINT} {role}" for role in ("web", "worker", "beat")),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(f"{base}/admin/login/", 60, stack)
        print(f"web answers {base}/admin/login/", flush=True)
        wait_for(f"{base}/static/admin/css/base.css", 30, stack)
        print("static files served by WhiteNoise", flush=True)
        # The workspace's sign-in page with its own assets, and Swagger UI's, from this host (no CDN).
        wait_for(f"{base}/login/", 30, stack)
        wait_for(f"{base}/static/workspace/app.css", 30, stack)
        wait_for(f"{base}/static/workspace/htmx-2.0.11.min.js", 30, stack)
        wait_for(f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css", 30, stack)
        print(f"workspace answers {base}/login/ with its assets and Swagger UI's served locally", flush=True)
        ping = subprocess.run(
            [Path(sys.executable).parent / "celery", "-A", "config", "inspect", "ping", "--timeout", "10"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for _ in range(10):  # the worker may still be connecting
            if "pong" in ping.stdout:
                break
            time.sleep(2)
            ping = subprocess.run(ping.args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        if "pong" not in ping.stdout:
            raise SystemExit(f"worker did not answer the healthcheck ping: {ping.stdout}{ping.stderr}")
        print("worker answers the healthcheck ping", flush=True)

        step("a complaint through intake, review, acceptance and assignment over the API")
        api = Api(base)
        reception, head, handler = (api.token(name) for name in ("reception", "head", "handler"))
        unit = next(u for u in api.call("GET", "/api/v1/me/", token=reception)["units"])
        unit_id = unit["id"] if isinstance(unit, dict) else unit
        handler_id = api.call("GET", "/api/v1/me/", token=handler)["id"]
        case = api.call(
            "POST",
            "/api/v1/cases/",
            {
                "unit": unit_id,
                "kind": "complaint",
                "round": 1,
                "channel": "post",
                "received_at": time.strftime("%Y-%m-%d"),
                "summary": "Rehearsal: complaint about a land-recovery compensation decision",
                "petitioners": [
                    {
                        "full_name": "Trần Văn Diễn tập",
                        "id_number": "001080012345",
                        "address": "Tổ 5, phường Cam Đường, Lào Cai",
                        "phone": "0912000111",
                    }
                ],
            },
            reception,
        )
        case = api.act(case, "review", reception)
        case = api.act(case, "accept", head)
        case = api.act(case, "start_verification", head, handler=handler_id)
        print(f"case {case['reference']} is {case['state']}", flush=True)

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = api.call("GET", "/api/v1/notifications/", token=handler)
            if any(case["reference"] in json.dumps(item, ensure_ascii=False) for item in page["results"]):
                break
            time.sleep(1)
        else:
            raise SystemExit("the handler's assignment notification was not delivered within 60 s")
        print("the worker delivered the handler's assignment notification through Redis", flush=True)
        if stack.poll() is not None:
            raise SystemExit(f"the stack exited with status {stack.returncode}")
    finally:
        step("SIGTERM stops web, worker and beat")
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGTERM)
        status = stack.wait(timeout=60)
    if status != 0:
        raise SystemExit(f"the stack stopped with status {status}")

    step("backup as the owner, restore into a fresh database: the same audit trail")
    archive = var_dir / "backup.tar"
    owner_env = {**env, "DATABASE_OWNER_URL": owner_url}
    run(owner_env, "owner-manage", "backup", "--output", str(archive))
    copy_url = recreate_database(server_url, f"{database}_restored")[0]
    run(owner_env, "owner-manage", "restore", str(archive), "--database-url", copy_url)
    audit = "SELECT count(*), md5(string_agg(e::text, '|' ORDER BY e.id)) FROM casework_caseevent e"
    original, restored = (query(url, audit) for url in (owner_url, copy_url))
    if original != restored or not original[0]:
        raise SystemExit(f"the restored audit trail differs: {original} != {restored}")
    print(f"{original[0]} audit events restored identically from {archive.stat().st_size} bytes", flush=True)
    print("rehearsal passed", flush=True)


def query(url: str, statement: str) -> tuple:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(statement).fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (any database on it)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="database to (re)create on that server")
    args = parser.parse_args()
    rehearse(args.database_url, args.redis_url, args.database)


if __name__ == "__main__":
    main()
