#!/usr/bin/env bash
# Sets up everything Qala needs on Debian 12, and does nothing that is already done.
#   scripts/setup.sh run    system packages, virtualenv, PostgreSQL + PostGIS, database
#   scripts/setup.sh test   the same, plus the test tools and Debian's Chromium
# Run as root, or as a user with sudo. The Makefile calls it; see the README.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
    as_postgres=(runuser -u postgres --)
else
    sudo=(sudo)
    as_postgres=(sudo -u postgres)
fi
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages: install only those that are missing.
packages=(postgresql-15 postgresql-15-postgis-3 gdal-bin libgdal-dev gettext make)
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
[ "$mode" = test ] && packages+=(chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
fi

# 2. The virtualenv, reinstalled only when a requirements file changes.
reqs=requirements.txt
[ "$mode" = test ] && reqs=requirements-dev.txt
[ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
stamp=.venv/.installed-$(basename "$reqs" .txt)
want=$(cat requirements.txt "$reqs" | sha256sum | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing $reqs into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r "$reqs"
    echo "$want" > "$stamp"
fi

# 3. PostgreSQL: a cluster that runs, a role and a database for Qala.
if [ -n "${DATABASE_URL:-}" ]; then
    say "DATABASE_URL is set: using that database as it is"
else
    cluster=$(pg_lsclusters --no-header | awk '$1 == 15 {print $2; exit}')
    if [ -z "$cluster" ]; then
        say "creating the PostgreSQL 15 cluster"
        "${sudo[@]}" pg_createcluster 15 main
        cluster=main
    fi
    if ! pg_lsclusters --no-header | awk -v c="$cluster" '$1 == 15 && $2 == c {print $4}' | grep -q online; then
        say "starting PostgreSQL 15/$cluster"
        "${sudo[@]}" pg_ctlcluster 15 "$cluster" start
    fi
    port=$(pg_lsclusters --no-header | awk -v c="$cluster" '$1 == 15 && $2 == c {print $3}')
    if [ "$port" != 5432 ]; then
        echo "PostgreSQL 15/$cluster listens on port $port, not 5432: set DATABASE_URL (see the README)." >&2
        exit 1
    fi
    psql_admin() { PGOPTIONS="-c client_min_messages=warning" "${as_postgres[@]}" psql -p "$port" -v ON_ERROR_STOP=1 -qtAX "$@"; }
    if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'qala'")" != 1 ]; then
        say "creating the database role qala"
        # CREATEDB lets the test suite create its own database; PostGIS is put in
        # template1 so that database has it without the role being a superuser.
        psql_admin -c "CREATE ROLE qala LOGIN CREATEDB PASSWORD 'qala'"
    fi
    psql_admin -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis"
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'qala'")" != 1 ]; then
        say "creating the database qala"
        psql_admin -c "CREATE DATABASE qala OWNER qala"
    fi
    psql_admin -d qala -c "CREATE EXTENSION IF NOT EXISTS postgis"
fi
say "ready ($mode)"
