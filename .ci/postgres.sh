#!/usr/bin/env bash
# PostgreSQL on localhost for the state-store tests, from Debian's packages.
#
#   source .ci/postgres.sh     # exports CRM_BRIDGE_TEST_POSTGRES_URL into the calling shell
#   bash .ci/postgres.sh       # prints it and writes it to .crm-bridge/ci-postgres.env
#
# Run as root on a Debian machine. Idempotent: an installed package, an existing cluster, a
# running server, the test role and the test database are all reused. The role's password is
# random per machine and kept in .crm-bridge/ci-postgres.env (git-ignored), which a later shell
# can `source` to get the same URL.

_crmb_pg_setup() (
  set -euo pipefail
  export DEBIAN_FRONTEND=noninteractive
  local root env_file user db port password version cluster status
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  env_file="$root/.crm-bridge/ci-postgres.env"
  user="crm_bridge_test"
  db="crm_bridge_test"
  port="5432"

  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian's packages" >&2
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  cluster="main"

  if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {found = 1} END {exit !found}'; then
    pg_createcluster --port "$port" "$version" "$cluster" >/dev/null
  fi
  status="$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $4}')"
  if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" "$cluster" start
  fi
  for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
      break
    fi
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p "$port" >&2

  mkdir -p "$root/.crm-bridge"
  password=""
  if [ -f "$env_file" ]; then
    password="$(sed -n 's/^CRMB_PG_PASSWORD=//p' "$env_file")"
  fi
  if [ -z "$password" ]; then
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  fi

  local psql=(runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres)
  "${psql[@]}" -v user="$user" -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'user', :'pw') \gexec
SQL
  "${psql[@]}" -v user="$user" -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL

  umask 077
  {
    echo "CRMB_PG_PASSWORD=$password"
    echo "CRM_BRIDGE_TEST_POSTGRES_URL=postgresql+psycopg://$user:$password@127.0.0.1:$port/$db"
    echo "export CRM_BRIDGE_TEST_POSTGRES_URL"
  } >"$env_file"
  echo "PostgreSQL $version ready on 127.0.0.1:$port, database $db (URL in .crm-bridge/ci-postgres.env)" >&2
)

if _crmb_pg_setup; then
  CRM_BRIDGE_TEST_POSTGRES_URL="$(sed -n 's/^CRM_BRIDGE_TEST_POSTGRES_URL=//p' \
    "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.crm-bridge/ci-postgres.env")"
  export CRM_BRIDGE_TEST_POSTGRES_URL
  if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    echo "CRM_BRIDGE_TEST_POSTGRES_URL=$CRM_BRIDGE_TEST_POSTGRES_URL"
  fi
else
  echo "PostgreSQL set-up failed" >&2
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi
