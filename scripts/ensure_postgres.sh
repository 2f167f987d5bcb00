#!/usr/bin/env bash
# Makes sure a PostgreSQL server (initdb, pg_ctl) is on this machine for the replica tests.
# The tests start their own throwaway server on 127.0.0.1; this only installs the binaries.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the PostgreSQL server for the replica tests (apt-get)…" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    exit 0
fi
echo "PostgreSQL server binaries (initdb) not found: install the postgresql package" >&2
exit 1
