"""A real Celery worker consumes from the configured broker (Redis in CI, filesystem locally)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


# A queue of this test's own: the shared broker's "celery" queue may hold other tests' email
# tasks (notices, alerts), which a single worker would have to get through first.
QUEUE = f"homeward-test-ping-{os.getpid()}"


@pytest.fixture(scope="module")
def redis_required():
    """In CI (REQUIRE_SERVICES=1) Redis must be configured and answering: fail, never skip."""
    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    assert settings.REDIS_URL, "REQUIRE_SERVICES=1 but REDIS_URL is not set"
    import redis

    assert redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()


@pytest.fixture(scope="module")
def worker(redis_required):
    env = {**os.environ, "HOMEWARD_ENV": "test"}
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-Q",
            QUEUE,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_real_worker_runs_a_task_sent_through_the_broker(worker):
    from apps.core.tasks import ping

    token = f"{time.time_ns()}"
    result = ping.apply_async(args=[token], queue=QUEUE)
    assert result.get(timeout=30) == f"pong {token}"
    assert worker.poll() is None, "the worker died"


def test_ci_uses_redis_as_the_broker():
    if os.environ.get("REQUIRE_SERVICES") == "1":
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        assert settings.CELERY_BROKER_URL.startswith(("redis://", "filesystem://"))
