#!/usr/bin/env bash
# Set up everything in .venv (pinned by constraints.txt) and open the bundled sample.
#   bash scripts/setup.sh            # set up, then show the sample's summary and tables
#   bash scripts/setup.sh --quiet    # set up only
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: Python 3.11 or newer is needed ($PY is $("$PY" --version 2>&1))." >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian/Ubuntu ship venv separately
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      echo "setup: '$PY -m venv' failed; install the python3-venv package and run this again." >&2
      exit 2
    fi
  fi
fi

.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
# The forms' upload button is an anywidget: its front-end comes with the package (into .venv/share/jupyter),
# where JupyterLab and Voila load it from; without it every upload button would show an error instead.
if ! .venv/bin/jupyter labextension list 2>&1 | grep -q 'anywidget v.*enabled.*OK'; then
  echo "setup: the anywidget front-end is missing from .venv/share/jupyter/labextensions; run this again." >&2
  exit 1
fi

if [ "${1:-}" != "--quiet" ]; then
  echo "Set up in .venv. The bundled sample backup (password read from data/samples/wallet-export.password):"
  echo
  .venv/bin/concordium-backup inspect data/samples/wallet-export.json \
    --password-file data/samples/wallet-export.password
fi
