# Sourced by scripts/test: the browser tests drive Debian's Chromium through Playwright's Python client.
# Playwright's own browser downloads are never used (the tests launch /usr/bin/chromium directly).
ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return 0
    fi
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "The browser tests need Debian's chromium (/usr/bin/chromium): sudo apt-get install chromium." >&2
        return 1
    fi
    echo "installing Debian's chromium for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
}
