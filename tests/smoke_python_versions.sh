#!/usr/bin/env bash
# Install-and-run smoke test on other Python versions (make smoke-python).
#
# For each version given (default: 3.12 3.13) whose interpreter exists on this machine
# (pythonX.Y on PATH), create .smoke/pyX.Y from requirements.lock (the same lock as
# `make setup`), install the package (non-editable: checks requires-python), then run
# `cchc clean` on the shipped sample and `cchc indicators --quarter 2024Q1`, and compare
# form06.csv and indicators.csv byte for byte with the same commands under the project's
# Python 3.11 (.venv). A version whose interpreter is absent is reported and skipped; any
# difference or failure exits 1. Prints each version's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.12 3.13)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

form06() {  # form06() PYTHON_BIN_DIR OUT: clean + indicators on the sample into OUT
    "$1/cchc" clean --raw data/raw/sample --processed "$2/processed" >/dev/null
    "$1/cchc" indicators --quarter 2024Q1 --processed "$2/processed" --out "$2/outputs" >/dev/null
}

interpreter() {  # interpreter X.Y: a working pythonX.Y (on PATH, else a pyenv version)
    if "python$1" --version >/dev/null 2>&1; then command -v "python$1"; return; fi
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    return 1
}

form06 .venv/bin "$work/py3.11"
status=0
for v in "${versions[@]}"; do
    py=$(interpreter "$v") || { echo "python$v: not on this machine, skipped"; continue; }
    start=$SECONDS
    env=".smoke/py$v"
    [ -x "$env/bin/python" ] || "$py" -m venv "$env"
    "$env/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
    "$env/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall .
    rm -rf build ./*.egg-info
    form06 "$env/bin" "$work/py$v"
    same=yes
    for table in form06.csv indicators.csv; do
        if ! cmp -s "$work/py3.11/outputs/2024Q1/$table" "$work/py$v/outputs/2024Q1/$table"; then
            echo "python$v: $table differs from Python 3.11"
            same=no
            status=1
        fi
    done
    [ $same = no ] || echo "python$v: $("$env/bin/python" --version), same form 06 and indicators as 3.11 [$((SECONDS - start)) s]"
done
exit $status
