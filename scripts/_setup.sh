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

# WeasyPrint (the Berita Acara and report PDFs) needs Pango and HarfBuzz's subsetter from the system;
# without libharfbuzz-subset it warns on every PDF (an error under the test suite's warning filter).
ensure_system_libraries() {
    local missing=()
    for lib in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
               libharfbuzz-subset.so.0:libharfbuzz-subset0; do
        if ! ldconfig -p 2>/dev/null | grep -q "${lib%%:*}"; then missing+=("${lib##*:}"); fi
    done
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "PDFs need these system libraries: ${missing[*]} (sudo apt-get install ${missing[*]})." >&2
        return 0
    fi
    echo "installing ${missing[*]} for the PDFs (WeasyPrint)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_venv() {
    local extras="$1"
    ensure_system_libraries
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
            if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
                echo "installing Debian's nodejs and npm for the diagram viewer (bpmn-js)"
                DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
            fi
            if ! command -v npm >/dev/null 2>&1; then
                echo "npm is needed for the diagram viewer (bpmn-js); install Node.js and npm." >&2
                return 1
            fi
            npm ci --no-audit --no-fund --loglevel=error
        fi
        echo "$want" > "$stamp"
    fi
}
