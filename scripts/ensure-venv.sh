# Sourced by ./run-tests, ./run-analyses and .ci/run: make .venv with the project installed
# (editable, with the test extras) in the pinned environment of constraints.txt, unless it
# is already there and up to date with pyproject.toml and constraints.txt.
VENV="${METAEVIDENCE_VENV:-.venv}"
stamp="$VENV/.installed-from"
want="$(cat pyproject.toml constraints.txt | cksum)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setting up $VENV (first run only) ..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -c constraints.txt -e ".[test]"
    echo "$want" > "$stamp"
fi
export MPLBACKEND=Agg
