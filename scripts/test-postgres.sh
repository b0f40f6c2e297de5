#!/usr/bin/env bash
# Starts a throwaway Postgres server for the tests (Debian's postgresql package, run as a
# non-root user, on a local port) and prints its URL for SPARKIFY_TEST_DATABASE_URL.
# Installs the package when it is missing and this runs as root. Safe to run twice.
set -euo pipefail
port="${SPARKIFY_TEST_PG_PORT:-55432}"
root="${SPARKIFY_TEST_PG_DIR:-/tmp/sparkify-test-postgres}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Postgres is not installed: run 'sudo apt-get install postgresql' first." >&2
    exit 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin="$(find_bin)"
fi

# Postgres refuses to run as root: use the package's postgres user then.
as_user() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
url="postgres://postgres@127.0.0.1:${port}/postgres"

if as_user "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  echo "$url"
  exit 0
fi
mkdir -p "$root"
[ "$(id -u)" = 0 ] && chown postgres "$root"
if [ ! -f "$root/data/PG_VERSION" ]; then
  as_user "$bin/initdb" -D "$root/data" -A trust -U postgres >/dev/null
fi
as_user "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
echo "$url"
