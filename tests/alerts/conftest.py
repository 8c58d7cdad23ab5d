"""Fixtures of the alerts tests that follow deliveries through a real worker."""

import pytest

from tests.services import wait_until


@pytest.fixture
def pipeline(redis_server, celery_publisher, smtp_sink, celery_worker_process):
    """Everything a delivery goes through: this process publishes to `redis_server`, workers
    started with `pipeline.worker()` consume from it and send to `smtp_sink`."""

    class Pipeline:
        redis = redis_server
        sink = smtp_sink

        @staticmethod
        def worker(**env):
            return celery_worker_process(redis_server.url, {k: str(v) for k, v in env.items()})

        @staticmethod
        def settle():
            """Wait until the broker holds no task, queued or in progress (acks are late)."""
            client = redis_server.client()
            wait_until(
                lambda: client.llen("celery") == 0 and client.hlen("unacked") == 0,
                message="the queue to drain",
            )

    return Pipeline
