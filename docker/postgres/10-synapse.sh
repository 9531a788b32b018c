#!/bin/sh
# Run once by the postgres image's entrypoint, when it first makes the cluster
# (files in /docker-entrypoint-initdb.d): a role and a database for Synapse beside
# handoff's own. Synapse refuses a database whose collation is not C, so this one
# is made with C collation from template0, whatever the cluster's default.
# The password comes from SYNAPSE_POSTGRES_PASSWORD (compose.yaml); psql quotes it
# as a literal (:'password'), so any character is safe.
set -eu
psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set password="$SYNAPSE_POSTGRES_PASSWORD" <<'SQL'
CREATE ROLE synapse LOGIN PASSWORD :'password';
CREATE DATABASE synapse OWNER synapse
    ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
SQL
