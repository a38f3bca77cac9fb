# Shared by scripts/dev and scripts/test: a virtual environment inside the checkout, installed once
# and again only when pyproject.toml changes.
set -euo pipefail

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    echo "Alur needs Python 3.11 or newer (python3 --version)." >&2
    return 1
}

setup_venv() {
    local extras="$1"
    local python
    python=$(find_python)
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv with $python"
        "$python" -m venv .venv
    fi
    local stamp=".venv/.alur-installed${extras:+-$extras}"
    local want
    want=$(for f in pyproject.toml package.json package-lock.json; do if [ -f "$f" ]; then cat "$f"; fi; done |
           sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "installing Alur${extras:+ with [$extras]} into .venv"
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
        if [ -f package.json ]; then
            if ! command -v npm >/dev/null 2>&1; then
                echo "npm is needed for the diagram viewer (bpmn-js); install Node.js and npm." >&2
                return 1
            fi
            npm ci --no-audit --no-fund --loglevel=error
        fi
        echo "$want" > "$stamp"
    fi
}
