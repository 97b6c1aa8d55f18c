#!/usr/bin/env bash
# Sets up everything RTCC Desk needs on a Debian/Ubuntu machine, then runs the demo, the
# tests or the benchmarks. Safe to run again: each step only does what is missing.
#
#   ./dev.sh demo    set up, then run the desk in demo mode (no network needed)
#   ./dev.sh test    set up, then run the whole test suite (what CI runs)
#   ./dev.sh bench   set up, then run the benchmarks and print their figures
#   ./dev.sh setup   set up only
#
# SKIP_APT=1 skips the Debian packages (other systems: install their equivalents yourself).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
VENV=$ROOT/.venv
PY=${PYTHON:-python3}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_debian_packages() {
    [ "${SKIP_APT:-0}" = 1 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        say "No apt-get here: install the packages in installers/debian-packages.txt yourself, then run with SKIP_APT=1"
        return 0
    fi
    local wanted missing=()
    mapfile -t wanted < <(grep -vE '^\s*(#|$)' installers/debian-packages.txt)
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "Missing Debian packages: ${missing[*]} — run as root, or: sudo apt-get install ${missing[*]}"
        exit 2
    fi
    say "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python_packages() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment in .venv"
        "$PY" -m venv "$VENV"
    fi
    # Reinstall only when the dependency list changed.
    local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        say "Installing Python packages into .venv"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[test]"
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

setup() {
    install_debian_packages
    install_python_packages
}

run_tests() {
    say "Checking the layering contracts (import-linter)"
    "$VENV/bin/lint-imports" --no-cache
    say "Running the test suite"
    "$VENV/bin/python" -m pytest -n "${TEST_WORKERS:-auto}" "$@"
}

run_demo() {
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = Darwin ]; then
        exec "$VENV/bin/rtcc-desk" --demo "$@"
    fi
    say "No display here (DISPLAY/WAYLAND_DISPLAY unset): running the headless demo instead."
    say "On a desktop session, ./dev.sh demo opens the analyst desk (rtcc-desk --demo)."
    exec "$VENV/bin/rtcc" demo
}

case "${1:-}" in
    demo) shift; setup; run_demo "$@" ;;
    test) shift; setup; run_tests "$@" ;;
    bench) shift; setup; exec "$VENV/bin/python" -m benchmarks "$@" ;;
    setup) setup; say "Ready: activate with 'source .venv/bin/activate'" ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
esac
