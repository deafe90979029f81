"""What the benchmarks share: a PostgreSQL database of their own, and Django pointed at it."""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def use_bench_database(database, *, script):
    """Point Django at ``database`` on the server of DATABASE_URL (created there if missing), with
    production settings, before Django starts. Exits with a message without PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} needs DATABASE_URL to PostgreSQL (it creates its own database there).")
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname="postgres",  # the server's maintenance database: the one in the URL may not exist yet
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
    base = url.rsplit("/", 1)[0]
    os.environ["DATABASE_URL"] = f"{base}/{database}"
    os.environ["DEBUG"] = "false"  # production settings: cached templates, no query log
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("VAR_DIR", str(BASE_DIR / "var" / "bench"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cluster_growth.settings"
