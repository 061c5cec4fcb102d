#!/usr/bin/env bash
# Run the whole test suite: unit, property, CLI, Ledger simulator, widget, browser and notebook tests.
#   bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --quiet

# System tools some tests drive: Debian's Chromium (browser test), openssl (independent decryption) and
# qemu-arm-static (Speculos runs the real Concordium Ledger apps under it).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
command -v qemu-arm-static >/dev/null || need+=(qemu-user-static)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test: cannot install ${need[*]} (not root); the tests needing them will be skipped." >&2
  fi
fi

# Speculos, Ledger's emulator, in a venv of its own (its pins clash with the Jupyter stack's).
if [ ! -x .venv-speculos/bin/speculos ]; then
  "${PYTHON:-python3}" -m venv .venv-speculos
  .venv-speculos/bin/python -m pip install -q --disable-pip-version-check -c constraints-speculos.txt speculos
fi

.venv/bin/ruff check toolkit tests bench scripts fuzz
.venv/bin/ruff format --check --quiet toolkit tests bench scripts fuzz
# -m "": every test, the slow ones too (a plain pytest leaves them out: pyproject.toml).
.venv/bin/python -m pytest -m "" --nbval --nbval-sanitize-with notebooks/sanitize.cfg tests notebooks "$@"
