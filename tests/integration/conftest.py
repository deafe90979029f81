"""Real services for integration tests: an SMTP server (aiosmtpd) and a Celery worker process."""

import contextlib
import ctypes
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import kombu.pools
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from cluster_growth.celery import app as celery_app

from ..conftest import require_service

BASE_DIR = Path(settings.BASE_DIR)
CELERY = BASE_DIR / ".venv" / "bin" / "celery"
# A Redis database of its own, so that the worker never meets messages of a development setup.
WORKER_REDIS_DB = 14
# Resolved before any fork: the child may not import or load anything (other threads may hold locks).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout, interval=0.1, message="condition"):
    """Poll ``condition`` until it returns something truthy (and return that); fail on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}", pytrace=False)
        time.sleep(interval)


def body(message, subtype):
    """The ``text/<subtype>`` part of a received message, with the wire's CRLF line ends as ``\\n``."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part in:\n{message}"
    return part.get_content().replace("\r\n", "\n")


class SMTPServer:
    """What an SMTP server received: ``messages`` are parsed ``email.message.EmailMessage``s."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.envelopes = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        with self._lock:
            envelopes = list(self.envelopes)
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in envelopes]

    def messages_to(self, address):
        return [m for m in self.messages if address in m["To"]]

    @property
    def url(self):
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1, on a free port, for the duration of one test."""
    server = SMTPServer()
    controller = Controller(server, hostname=server.host, port=server.port, ready_timeout=10)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django's SMTP backend, in this process, pointed at ``smtp_server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_server


def _database_url():
    """The URL of the test database this process uses, for a worker process to use too."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{db['HOST'] or ''}{port}/{quote(db['NAME'], safe='')}"


def _worker_redis_url():
    parts = urlsplit(settings.REDIS_URL)
    return parts._replace(path=f"/{WORKER_REDIS_DB}", query="", fragment="").geturl()


class CeleryWorker:
    """A ``celery worker`` process of this project; its output goes to a file shown on failure."""

    def __init__(self, *, env, queue):
        self.queue = queue
        self._output = None
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(CELERY), "-A", "cluster_growth", "worker", "--pool", "solo", "--concurrency", "1"]
            + ["-Q", queue, "--hostname", f"test-{queue}@%h", "--loglevel", "INFO", "--without-heartbeat"]
            + ["--without-gossip", "--without-mingle"],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can end all of it
            preexec_fn=_die_with_parent if _prctl else None,
        )

    def output(self):
        """Everything the worker printed so far (its log file is removed when it stops)."""
        if self._output is not None:
            return self._output
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout=60):
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {self.process.returncode}", pytrace=False)
            return " ready." in self.output()

        wait_for(ready, timeout=timeout, message="the Celery worker to be ready")

    def stop(self):
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)  # warm shutdown: finish the current task, then exit
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait(timeout=5)
        else:
            # The worker exited already; end anything it may have left in its process group.
            self._signal(signal.SIGKILL)
        self._output = self.output()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def _signal(self, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def _die_with_parent():
    """In the child: have the kernel send SIGTERM if pytest dies, so no worker is ever orphaned."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _use_broker(url):
    """Point this process's Celery app at ``url``, closing the connections pooled so far (kombu
    keeps its pools per URL for the whole process, so they are closed and forgotten together)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url


def _forget_routing():
    """Celery caches the queues and the router built from the configuration; rebuild them."""
    for name in ("queues", "default_queue", "router"):
        celery_app.amqp.__dict__.pop(name, None)


@pytest.fixture
def celery_worker(request, transactional_db, smtp_server):
    """A real Celery worker on Redis, using this test's PostgreSQL database and sending email to
    ``smtp_server``; tasks queued by this process go to it (eager mode is off for the test).

    Needs PostgreSQL (the worker must see committed rows of the test database) and Redis.
    """
    if connection.vendor != "postgresql":
        require_service("PostgreSQL (DATABASE_URL=postgres://…)")
    if not settings.REDIS_URL:
        require_service("Redis (REDIS_URL)")

    import redis

    broker_url = _worker_redis_url()
    client = redis.Redis.from_url(broker_url)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        require_service(f"Redis at {broker_url} ({exc})")
    # A queue of its own: messages left over from earlier (crashed) runs, or sent by a run going on
    # at the same time, can never reach this worker, and this run flushes nobody else's messages.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_", "CELERY_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "cluster_growth.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "EMAIL_URL": smtp_server.url,
        # Tasks the worker queues itself (an email after a digest, a batch after the planning) must
        # reach it too.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    worker = CeleryWorker(env=env, queue=queue)
    request.node.celery_worker = worker  # for the failure report (pytest_runtest_makereport)

    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "task_always_eager": conf.task_always_eager,
        "task_default_queue": conf.task_default_queue,
    }
    try:
        worker.wait_ready()
        _use_broker(broker_url)
        conf.task_always_eager = False
        conf.task_default_queue = queue
        _forget_routing()
        yield worker
    finally:
        worker.stop()
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        conf.update(saved)
        _forget_routing()
        _use_broker(saved["broker_url"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that used a worker shows what the worker logged."""
    report = yield
    worker = getattr(item, "celery_worker", None)
    if worker is not None and report.failed:
        report.sections.append(("Celery worker output", worker.output()))
    return report
