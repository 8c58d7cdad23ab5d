"""Real services for the tests that need them: an SMTP sink, a private Redis, Celery workers.

Registered as a pytest plugin from tests/conftest.py. A test that needs a service it cannot
have FAILS when REQUIRE_SERVICES=1 (CI) and skips otherwise (`make test` on a laptop).

- `smtp_sink`: an aiosmtpd server on a free port that keeps every message it accepts; its
  `mode` makes it accept, refuse (554 at DATA) or hang (take the connection and the message
  and never answer, so the sender blocks mid-delivery); `delay` makes it slow.
- `redis_server`: a `redis-server` of its own on a spare port, with stop() and start().
- `celery_publisher`: points this process's Celery app at a broker URL (the producer pool is
  rebuilt), so tasks enqueued by services here reach that broker; restored afterwards.
- `celery_worker_process`: starts real `celery -A config worker` subprocesses against the
  pytest test database, the sink and a broker; killed at teardown.
"""

import asyncio
import email
import email.policy
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
WAIT = 30  # seconds: the longest any poll here waits


def need(condition: bool, reason: str) -> None:
    """Fail under REQUIRE_SERVICES=1, skip otherwise, when a service is missing."""
    if condition:
        return
    if REQUIRED:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float = WAIT, interval: float = 0.05, message: str = ""):
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {message or check}")
        time.sleep(interval)


# SMTP --------------------------------------------------------------------------------------


class SmtpSink:
    """The aiosmtpd handler: keeps accepted messages; `mode` is accept, refuse or hang."""

    def __init__(self):
        self.mode = "accept"
        self.delay = 0.0  # seconds to wait before accepting each message (slow server)
        self.host = "127.0.0.1"
        self.port = 0
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []  # one envelope recipient per accepted copy
        self.hanging = threading.Event()  # set once a client is stuck in a hung DATA
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            return "554 5.7.1 Refused by the test sink"
        if self.mode == "hang":
            # The message has arrived; never say so. The client waits for the reply forever
            # (it is killed, or gives up). Nothing is kept, even when the mode changes back.
            self.hanging.set()
            while self.mode == "hang":
                await asyncio.sleep(0.05)
            return "421 4.3.0 The test sink gave up on this connection"
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """Messages whose envelope was addressed to `address`."""
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, *, timeout: float = WAIT) -> list:
        wait_until(lambda: len(self.messages) >= count, timeout=timeout, message=f"{count} emails")
        return list(self.messages)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.recipients.clear()


@pytest.fixture
def smtp_sink():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:  # pragma: no cover - aiosmtpd is in the dev extras
        need(False, "aiosmtpd is not installed (pip install -e '.[dev]')")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
    controller.start()
    try:
        yield sink
    finally:
        sink.mode = "accept"  # let a hung handler finish before the loop stops
        controller.stop()


# Redis -------------------------------------------------------------------------------------


class RedisServer:
    """A throwaway redis-server (no persistence): stop() takes it down, start() brings it back
    on the same port, empty."""

    def __init__(self, binary: str, port: int, log: Path):
        self.binary = binary
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.process is None, "already running"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.ping, timeout=10, message=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is not on PATH")
    server = RedisServer(binary, free_port(), tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Celery ------------------------------------------------------------------------------------


def _reset_producers(app) -> None:
    """Drop this process's broker connections and producers so the next publish opens a
    connection to whatever `app.conf.broker_url` now says.

    kombu keeps its pools in process-wide registries keyed by broker URL, and `app._pool` is
    one of them: closing it alone leaves a closed pool registered, which the next publish to
    that URL (another test, back on the configured broker) would be handed. `pools.reset()`
    closes every pool and empties the registries."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_publishing_to(url: str):
    """Inside the block, tasks sent from this process go to `url`."""
    from config.celery import app

    before = app.conf.broker_url
    _reset_producers(app)
    app.conf.broker_url = url
    try:
        yield app
    finally:
        _reset_producers(app)
        app.conf.broker_url = before


@pytest.fixture
def celery_publisher(redis_server):
    """This process publishes to the test's own Redis (where its workers listen)."""
    with celery_publishing_to(redis_server.url) as app:
        yield app


def worker_database_url() -> str:
    """The URL of the database this pytest run really uses (the test_ one)."""
    from django.db import connection

    conf = connection.settings_dict
    user = quote(conf.get("USER") or "", safe="")
    password = quote(conf.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = conf.get("HOST") or "127.0.0.1"
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(conf['NAME'], safe='')}"


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        def ready():
            assert self.alive(), f"the worker died:\n{self.output()[-3000:]}"
            return " ready." in self.output()

        wait_until(ready, message="the Celery worker to be ready")

    def kill(self) -> None:
        """SIGKILL: no goodbye, no ack, no clean-up (a crash or an OOM kill)."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def celery_worker_process(smtp_sink, tmp_path):
    """Call with (broker_url, extra_env=None): a started, ready Celery worker (solo pool) that
    uses the pytest test database (PostgreSQL: needs django_db(transaction=True) so it sees
    committed rows), sends email by SMTP to `smtp_sink`, and consumes from `broker_url`."""
    from django.db import connection

    need(
        connection.vendor == "postgresql",
        "a real worker needs PostgreSQL (set DATABASE_URL); it cannot see an SQLite test db",
    )
    celery = Path(sys.executable).with_name("celery")
    started: list[WorkerProcess] = []

    def start(broker_url: str, extra_env: dict | None = None) -> WorkerProcess:
        import redis

        # Start from an empty queue: nothing a previous test or worker left behind.
        redis.Redis.from_url(broker_url, socket_timeout=5).delete(
            "celery", "unacked", "unacked_index", "unacked_mutex"
        )
        env = {
            **os.environ,
            "HOMEWARD_ENV": "test",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp_sink.host,
            "EMAIL_PORT": str(smtp_sink.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "ALERT_CLAIM_TIMEOUT_SECONDS": "2",
            **(extra_env or {}),
        }
        env.pop("CELERY_BROKER_URL", None)
        log = tmp_path / f"worker-{len(started) + 1}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [
                    str(celery),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                    "-Q",
                    "celery",
                    "-n",
                    f"test-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = WorkerProcess(process, log)
        started.append(worker)
        worker.wait_ready()
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
