#!/usr/bin/env bash
# A cluster on this machine: N sandbox replicas on loopback ports behind nginx with
# deploy/nginx/sandbox.conf, everything on 127.0.0.1, run as the current user.
#
#   deploy/local-cluster.sh start            # replicas r1..rN, nginx on CLUSTER_PORT
#   deploy/local-cluster.sh stop             # stops exactly what start started
#   deploy/local-cluster.sh stop-replica r2  # one replica only (its tenants move)
#   deploy/local-cluster.sh status
#
# Environment: SANDBOX_REPLICAS (3), SANDBOX_BIN (target/release/sandbox), CLUSTER_PORT
# (8080), CLUSTER_BASE_PORT (CLUSTER_PORT+1: replica i listens on BASE+i-1), CLUSTER_RUN
# (target/local-cluster: pid files, logs, nginx's prefix). Other SANDBOX_* variables
# (SANDBOX_SCENARIO, SANDBOX_WATCH, SANDBOX_STATE_DIR...) reach every replica as they are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
replicas=${SANDBOX_REPLICAS:-3}
bin=${SANDBOX_BIN:-$root/target/release/sandbox}
port=${CLUSTER_PORT:-8080}
base=${CLUSTER_BASE_PORT:-$((port + 1))}
run=${CLUSTER_RUN:-$root/target/local-cluster}
nginx_dir=$run/nginx
# Absolute, so the pid check and the probes do not depend on the caller's directory.
[ -e "$bin" ] && bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

die() { echo "local-cluster: $*" >&2; exit 1; }

# Debian's nginx, without letting the package start a system-wide nginx of its own
# (policy-rc.d refuses service starts during the install, as in a container image).
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 && return
  [ -x /usr/sbin/nginx ] && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "local-cluster: installing nginx from Debian's packages"
  local policy=/usr/sbin/policy-rc.d placed=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    placed=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null
  [ -n "$placed" ] && $sudo rm -f "$policy"
  return 0
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

# Whether pid file $1 names a live process running $2 (guards against a reused pid).
alive() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# Waits until the sandbox (or nginx in front of it) answers health on port $1.
wait_healthy() {
  local deadline=$((SECONDS + 20))
  until "$bin" healthcheck --port "$1" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

write_nginx_conf() {
  mkdir -p "$nginx_dir/tmp" "$nginx_dir/logs"
  : >"$nginx_dir/sandbox-upstreams.inc"
  for i in $(seq 1 "$replicas"); do
    echo "server 127.0.0.1:$((base + i - 1)) max_fails=0;" >>"$nginx_dir/sandbox-upstreams.inc"
  done
  echo "listen 127.0.0.1:$port;" >"$nginx_dir/sandbox-listen.inc"
  local user=""
  [ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
  cat >"$nginx_dir/nginx.conf" <<EOF
# Written by deploy/local-cluster.sh; the rules are in deploy/nginx/sandbox.conf.
$user
daemon on;
worker_processes 2;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log $nginx_dir/logs/access.log;
    client_body_temp_path $nginx_dir/tmp/body;
    proxy_temp_path $nginx_dir/tmp/proxy;
    fastcgi_temp_path $nginx_dir/tmp/fastcgi;
    uwsgi_temp_path $nginx_dir/tmp/uwsgi;
    scgi_temp_path $nginx_dir/tmp/scgi;
    include $root/deploy/nginx/sandbox.conf;
}
EOF
}

start_replica() {
  local name=$1 p=$2
  SANDBOX_REPLICA=$name SANDBOX_HOST=127.0.0.1 SANDBOX_PORT=$p SANDBOX_LOG=${SANDBOX_LOG:-warn} \
    nohup "$bin" serve >"$run/$name.log" 2>&1 </dev/null &
  echo $! >"$run/$name.pid"
}

start() {
  [ -x "$bin" ] || die "no binary at $bin (cargo build --release, or set SANDBOX_BIN)"
  for f in "$run"/*.pid "$nginx_dir/nginx.pid"; do
    [ -f "$f" ] && die "already running (pid files in $run): stop it first"
  done
  ensure_nginx
  mkdir -p "$run"
  for i in $(seq 1 "$replicas"); do
    start_replica "r$i" $((base + i - 1))
  done
  for i in $(seq 1 "$replicas"); do
    wait_healthy $((base + i - 1)) || { stop; die "replica r$i did not come up: $run/r$i.log"; }
  done
  write_nginx_conf
  "$(nginx_bin)" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/logs/error.log" ||
    { stop; die "nginx did not start: $nginx_dir/logs/error.log"; }
  wait_healthy "$port" || { stop; die "nginx does not answer on $port"; }
  echo "local-cluster: $replicas replicas on 127.0.0.1:$base.., nginx on 127.0.0.1:$port"
}

# Stops the process of pid file $1 if it still runs $2; removes the file.
stop_pid() {
  local pid
  if alive "$1" "$2"; then
    pid=$(cat "$1")
    kill -TERM "$pid"
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  fi
  rm -f "$1"
}

stop() {
  stop_pid "$nginx_dir/nginx.pid" "$nginx_dir"
  for f in "$run"/r*.pid; do
    [ -f "$f" ] && stop_pid "$f" "$bin"
  done
  return 0
}

stop_replica() {
  [ -f "$run/$1.pid" ] || die "no replica $1 in $run"
  stop_pid "$run/$1.pid" "$bin"
}

status() {
  for f in "$run"/r*.pid "$nginx_dir/nginx.pid"; do
    [ -f "$f" ] || continue
    local what=$bin
    [ "$f" = "$nginx_dir/nginx.pid" ] && what=$nginx_dir
    if alive "$f" "$what"; then echo "$(basename "$f" .pid): running ($(cat "$f"))"; else echo "$(basename "$f" .pid): gone"; fi
  done
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  stop-replica) stop_replica "${2:?replica name, e.g. r2}" ;;
  status) status ;;
  *) die "usage: $0 start|stop|stop-replica NAME|status" ;;
esac
