#!/usr/bin/env bash
# Local OCI registries for the prewarm tests, the prewarm benchmark and .ci/run: Debian's
# `docker-registry` (CNCF distribution 2.8) on 127.0.0.1, one instance per directory.
#
#   scripts/registry.sh start DIR [--proxy URL] [--auth USER:PASSWORD] [--owner-pid PID]
#       Starts a registry whose state (config, storage, log, pid) lives in DIR, on a free port,
#       and prints its address (127.0.0.1:PORT). --proxy makes it a pull-through cache of URL
#       (distribution's proxy.remoteurl; the upstream must answer when the proxy starts, since
#       distribution checks it then); --auth puts it behind htpasswd Basic auth, as ECR's
#       endpoint is. --owner-pid stops it when that process ends (a crashed test run leaves no
#       registry behind). Idempotent: a registry already running in DIR is reused.
#   scripts/registry.sh stop DIR       Stops the registry of DIR (no-op when none runs); keeps its storage.
#   scripts/registry.sh status DIR     Prints the address and exits 0 when it runs, exits 1 otherwise.
#   scripts/registry.sh up [BASE]      Starts an upstream and an authenticated proxy of it under BASE
#                                      (default: a new temporary directory); prints KEY=VALUE lines
#                                      (BASE, UPSTREAM, PROXY, PROXY_USER, PROXY_PASSWORD), also
#                                      written to BASE/registry.env.
#   scripts/registry.sh down BASE      Stops every registry under BASE and removes BASE when `up` created it.
#   scripts/registry.sh check          up, one authenticated round trip through the proxy, down:
#                                      proves this machine can run the registry tests.
set -euo pipefail

REGISTRY_BIN="${REGISTRY_BIN:-}"
if [ -z "$REGISTRY_BIN" ]; then
  REGISTRY_BIN="$(command -v docker-registry 2>/dev/null || true)"
  [ -n "$REGISTRY_BIN" ] || REGISTRY_BIN=/usr/bin/docker-registry
fi

die() { echo "registry.sh: $*" >&2; exit 1; }

need_tools() {
  [ -x "$REGISTRY_BIN" ] || die "docker-registry not found (Debian: apt-get install -y docker-registry)"
  command -v htpasswd >/dev/null 2>&1 || die "htpasswd not found (Debian: apt-get install -y apache2-utils)"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nothing listens on now. The registry may still lose a race for it; start() retries.
free_port() {
  local port tries=0
  while [ $tries -lt 200 ]; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! port_open "$port"; then echo "$port"; return 0; fi
    tries=$((tries + 1))
  done
  die "no free port found on 127.0.0.1"
}

# The pid recorded in DIR when that process is still our registry for DIR.
running_pid() {
  local dir="$1" pid
  [ -f "$dir/pid" ] || return 1
  pid="$(cat "$dir/pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must be a registry serving this DIR's config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$dir/config.yml" || return 1
  echo "$pid"
}

write_config() {
  local dir="$1" port="$2" proxy="$3" auth="$4"
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: error"
    echo "  accesslog:"
    echo "    disabled: true"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/storage"
    echo "  delete:"
    echo "    enabled: true"
    echo "  cache:"
    echo "    blobdescriptor: inmemory"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  secret: $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    if [ -n "$auth" ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: ptc-test-registry"
      echo "    path: $dir/htpasswd"
    fi
    if [ -n "$proxy" ]; then
      echo "proxy:"
      echo "  remoteurl: $proxy"
    fi
  } >"$dir/config.yml"
}

start() {
  local dir="" proxy="" auth="" owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --proxy) proxy="${2:?--proxy needs a URL}"; shift 2 ;;
      --auth) auth="${2:?--auth needs USER:PASSWORD}"; shift 2 ;;
      --owner-pid) owner="${2:?--owner-pid needs a pid}"; shift 2 ;;
      -*) die "unknown option $1" ;;
      *) [ -z "$dir" ] || die "one DIR only"; dir="$1"; shift ;;
    esac
  done
  [ -n "$dir" ] || die "usage: registry.sh start DIR [--proxy URL] [--auth USER:PASSWORD] [--owner-pid PID]"
  need_tools
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if running_pid "$dir" >/dev/null; then cat "$dir/addr"; return 0; fi
  if [ -n "$proxy" ]; then
    case "$proxy" in http://*|https://*) ;; *) proxy="http://$proxy" ;; esac
  fi
  mkdir -p "$dir/storage"
  if [ -n "$auth" ]; then
    local user="${auth%%:*}" password="${auth#*:}"
    [ -n "$user" ] && [ "$user" != "$auth" ] || die "--auth must be USER:PASSWORD"
    # distribution accepts bcrypt entries only.
    htpasswd -Bbn -C 4 "$user" "$password" >"$dir/htpasswd" 2>/dev/null || die "htpasswd failed"
  fi
  local attempt port pid waited
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    write_config "$dir" "$port" "$proxy" "$auth"
    # GOGC=400: a quarter less garbage-collection CPU per request, which matters on small shared CI machines.
    GOGC="${GOGC:-400}" setsid "$REGISTRY_BIN" serve "$dir/config.yml" </dev/null >"$dir/log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    waited=0
    while [ $waited -lt 100 ]; do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if port_open "$port"; then
        echo "127.0.0.1:$port" >"$dir/addr"
        if [ -n "$owner" ]; then
          # Watchdog: stop the registry when its owner is gone.
          setsid bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill "$2" 2>/dev/null || true' \
            watchdog "$owner" "$pid" </dev/null >/dev/null 2>&1 &
        fi
        echo "127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
      waited=$((waited + 1))
    done
    kill "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    if grep -q "address already in use" "$dir/log" 2>/dev/null; then continue; fi
    die "docker-registry in $dir did not start: $(head -n 3 "$dir/log" 2>/dev/null | tr '\n' ' ')"
  done
  die "docker-registry in $dir found no free port after 5 attempts"
}

stop() {
  local dir="${1:?usage: registry.sh stop DIR}" pid n
  [ -d "$dir" ] || return 0
  dir="$(cd "$dir" && pwd)"
  if pid="$(running_pid "$dir")"; then
    kill "$pid" 2>/dev/null || true
    for n in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid" "$dir/addr"
}

status() {
  local dir="${1:?usage: registry.sh status DIR}"
  [ -d "$dir" ] || return 1
  dir="$(cd "$dir" && pwd)"
  running_pid "$dir" >/dev/null || return 1
  cat "$dir/addr"
}

up() {
  local base="${1:-}" created=0 owner=""
  shift || true
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner-pid) owner="${2:?--owner-pid needs a pid}"; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  if [ -z "$base" ]; then
    base="$(mktemp -d "${TMPDIR:-/tmp}/ptc-registries.XXXXXX")"
    created=1
  else
    [ -d "$base" ] || created=1
    mkdir -p "$base"
  fi
  base="$(cd "$base" && pwd)"
  [ $created -eq 0 ] || touch "$base/.created-by-registry-sh"
  local user=ptc password
  if [ -f "$base/registry.env" ] && grep -q '^PROXY_PASSWORD=' "$base/registry.env"; then
    password="$(sed -n 's/^PROXY_PASSWORD=//p' "$base/registry.env")"
  else
    password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  local owner_args=()
  [ -z "$owner" ] || owner_args=(--owner-pid "$owner")
  local upstream proxy
  upstream="$(start "$base/upstream" "${owner_args[@]}")"
  proxy="$(start "$base/proxy" --proxy "http://$upstream" --auth "$user:$password" "${owner_args[@]}")"
  {
    echo "BASE=$base"
    echo "UPSTREAM=$upstream"
    echo "PROXY=$proxy"
    echo "PROXY_USER=$user"
    echo "PROXY_PASSWORD=$password"
  } >"$base/registry.env"
  cat "$base/registry.env"
}

down() {
  local base="${1:?usage: registry.sh down BASE}" dir
  [ -d "$base" ] || return 0
  # Every registry started under BASE: the proxy, the upstream and any extra `start BASE/NAME`.
  for dir in "$base"/*/; do
    if [ -f "$dir/config.yml" ]; then stop "${dir%/}"; fi
  done
  if [ -f "$base/.created-by-registry-sh" ]; then rm -rf "$base"; fi
}

check() {
  local env proxy user password code
  env="$(up)"
  CHECK_BASE="$(echo "$env" | sed -n 's/^BASE=//p')"
  proxy="$(echo "$env" | sed -n 's/^PROXY=//p')"
  user="$(echo "$env" | sed -n 's/^PROXY_USER=//p')"
  password="$(echo "$env" | sed -n 's/^PROXY_PASSWORD=//p')"
  trap 'down "$CHECK_BASE"' EXIT
  code="$(exec 3<>"/dev/tcp/${proxy%:*}/${proxy##*:}" && {
    printf 'GET /v2/ HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic %s\r\n\r\n' "$proxy" "$(printf '%s:%s' "$user" "$password" | base64 | tr -d '\n')" >&3
    head -n 1 <&3 | awk '{print $2}'
  })"
  [ "$code" = "200" ] || die "the proxy registry answered $code to an authenticated /v2/ (want 200)"
  echo "registry.sh: upstream and authenticated proxy registry work"
}

cmd="${1:-}"
[ $# -eq 0 ] || shift
case "$cmd" in
  start) start "$@" ;;
  stop) stop "$@" ;;
  status) status "$@" ;;
  up) up "$@" ;;
  down) down "$@" ;;
  check) check ;;
  *) die "usage: registry.sh start|stop|status|up|down|check (see the header of this file)" ;;
esac
