#!/usr/bin/env bash
# The quick suite on the lowest versions pyproject.toml allows (constraints-lowest.txt), so its ">=" floors
# stay true. A venv of its own (.venv-lowest) with the core, [ledger], [dask] and what the forms import at
# their floors; the browser, JupyterLab/Voila and notebook tests need the pinned stack and run in the main
# suite (scripts/test.sh) only.
#   bash scripts/test-lowest.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv-lowest/bin/python ]; then
  "$PY" -m venv .venv-lowest
fi
.venv-lowest/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
.venv-lowest/bin/python -m pip install -q --disable-pip-version-check -c constraints-lowest.txt \
  -e '.[ledger,dask]' ipywidgets anywidget pytest pytest-timeout hypothesis import-linter
.venv-lowest/bin/python -m pip check
# what was tested, for the log
.venv-lowest/bin/python -m pip list --format=freeze 2>/dev/null \
  | grep -iE '^(cryptography|pandas|numpy|orjson|pybase64|base58|tqdm|openpyxl|wcwidth|shtab|ledgerblue|distributed|dask|ipywidgets|anywidget)==' \
  | tr '\n' ' '
echo
# -m "not slow" (pyproject's default); the tests that need the browser/notebook stack are left out
.venv-lowest/bin/python -m pytest -q -p no:cacheprovider \
  --ignore=tests/skins/test_browser.py --ignore=tests/skins/test_browser_desk.py \
  --ignore=tests/skins/test_browser_lab.py --ignore=tests/skins/test_notebooks_clean.py --ignore=tests/safety/test_fuzz.py \
  tests "$@"
