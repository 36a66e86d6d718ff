# Sourced by ./run-tests and ./run-analyses: make .venv with the project installed
# (editable, with the test extras) unless it is already there and up to date.
VENV="${METAEVIDENCE_VENV:-.venv}"
stamp="$VENV/.installed-from"
want="$(cat pyproject.toml | cksum)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setting up $VENV (first run only) ..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[test]"
    echo "$want" > "$stamp"
fi
export MPLBACKEND=Agg
