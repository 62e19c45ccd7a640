# Sourced by .ci/run: a throwaway PostgreSQL cluster on 127.0.0.1:55432 for the server's
# PostgreSQL test (DEEPWORKZONE_TEST_PG_URL), stopped when CI exits.
start_test_postgres() {
  local pgbin dir
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pgbin" ] || ! id postgres >/dev/null 2>&1; then
    echo "== PostgreSQL not available: its test will be skipped"
    return 0
  fi
  dir=$(mktemp -d /tmp/dwz-pg.XXXXXX)
  chown postgres "$dir"
  su postgres -c "$pgbin/initdb -D $dir/data -A trust -U postgres" >/dev/null
  su postgres -c "$pgbin/pg_ctl -D $dir/data -l $dir/log -w start \
    -o '-p 55432 -k $dir -c listen_addresses=127.0.0.1 -c fsync=off'" >/dev/null
  su postgres -c "$pgbin/createdb -h 127.0.0.1 -p 55432 dwz_test"
  # shellcheck disable=SC2064
  trap "su postgres -c '$pgbin/pg_ctl -D $dir/data -m fast stop' >/dev/null 2>&1; rm -rf $dir" EXIT
  export DEEPWORKZONE_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:55432/dwz_test"
  echo "== PostgreSQL test cluster on 127.0.0.1:55432"
}
