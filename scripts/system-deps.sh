#!/usr/bin/env bash
# Installs the Debian packages that the test suite needs, only when they are missing.
# PostgreSQL 15 (initdb, pg_ctl, postgres) and Chromium drive the integration and browser tests;
# a CJK font lets headless Chromium render the Chinese UI (screenshots) instead of empty boxes
# and the contract PDFs print Chinese.
set -euo pipefail
need=()
# the virtual environment is made from Debian's python3 (see the Makefile): its venv module
[ ! -x /usr/bin/python3 ] || /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
# WeasyPrint (contract PDFs) renders text through Pango.
for lib in libpango-1.0-0 libpangoft2-1.0-0; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "ok installed" || need+=("$lib")
done
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
