#!/usr/bin/env bash
# Start web, worker and beat together; Ctrl-C (or any one of them exiting) stops all three.
set -euo pipefail
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
CELERY="$(dirname "$PY")/celery"
# Links in emails (notices, alerts, invitations) point at the server this starts, unless set.
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping web, worker and beat..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$CELERY" -A config worker --loglevel=INFO --pool=solo --without-mingle --without-gossip &
pids+=($!)
"$CELERY" -A config beat --loglevel=INFO &
pids+=($!)
"$PY" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

sleep 2
echo
echo "Homeward is running at http://$HOST:$PORT/  (Ctrl-C stops web, worker and beat)"
echo
wait -n
