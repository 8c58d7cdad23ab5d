# Homeward image: one image for web (gunicorn), worker and beat (celery). See README "Deploying".
#
#   docker build -t homeward .
#
# Stage 1 builds the front-end assets with the Makefile's own `assets` target, so the image and
# `make run` / `make test` compile GOV.UK Frontend the same way (Sass, no GDS Transport font).
# Stage 2 installs the pinned Python dependencies, adds the code and the built assets, and
# collects static files at build time.

FROM node:20-bookworm AS assets
WORKDIR /src
# The node image already has make. Dependencies first, so this layer is cached until they change.
COPY Makefile package.json package-lock.json ./
RUN make node_modules/.package-lock.json
COPY static/ static/
RUN make assets


FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    HOMEWARD_ENV=production \
    HOMEWARD_VAR_DIR=/app/var \
    PRIVATE_MEDIA_ROOT=/data/private

# pyproject.toml pins every direct dependency; it installs no package of its own
# (`packages = []`), so only it is needed here and this layer survives code changes.
COPY pyproject.toml /tmp/homeward/
RUN pip install /tmp/homeward && rm -rf /tmp/homeward

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home homeward

WORKDIR /app
COPY . .
COPY --from=assets /src/static/dist/ static/dist/

# collectstatic imports production settings, which refuse to load without a secret key and
# allowed hosts. These throwaway values exist only for this one command: they are not ENV, so
# no container ever runs with them. The code stays owned by root (read-only to the app); only
# var/ (beat's schedule file) and the private uploads are writable by the app user.
ARG BUILD_SECRET_KEY=collectstatic-only-throwaway-key-never-used-at-run-time-0123456789
ARG BUILD_ALLOWED_HOSTS=build.invalid
RUN HOMEWARD_ENV=production SECRET_KEY="$BUILD_SECRET_KEY" ALLOWED_HOSTS="$BUILD_ALLOWED_HOSTS" \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var /data/private \
    && chown -R homeward:homeward /app/var /data/private

USER homeward
EXPOSE 8000

# /healthz answers 200 when the database and the broker answer. The request carries the first
# ALLOWED_HOSTS name as its Host header, or Django would refuse it as a disallowed host.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"

# Workers: gunicorn reads WEB_CONCURRENCY (default 1) and GUNICORN_CMD_ARGS from the environment.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
