#!/usr/bin/env bash
# `make run`: bring the database to the newest schema, seed the demo company when the database has
# no company yet (`microlend init` plus demo offices and one user per default role, whose sign-ins
# are printed), then serve the web UI and the API.
#   usage: scripts/run.sh [HOST] [PORT]      database: MICROLEND_DATABASE_URL or ./microlend.db
set -euo pipefail
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MICROLEND=.venv/bin/microlend

"$MICROLEND" migrate
"$MICROLEND" demo
echo "microlend: open http://${HOST}:${PORT}/ in a browser (Ctrl-C stops the server)"
exec "$MICROLEND" serve --host "$HOST" --port "$PORT"
