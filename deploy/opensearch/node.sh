#!/usr/bin/env bash
# A real OpenSearch node (or a two-node cluster) on 127.0.0.1 for development and CI.
#   node.sh build                         fetch the jars from Maven Central, compile the launcher
#   node.sh start [--nodes 1|2] [--port 9200]   start in the background, wait until healthy
#   node.sh stop                          stop the nodes this script started (by PID)
#   node.sh status                        the nodes' PIDs and the cluster health
#   node.sh restart-node N                start node N again on its data (after a crash or a kill)
# OPENSEARCH_RUN names the folder of PID files (default target/run): a second cluster beside the first.
# Data and logs live in a temporary folder removed by `stop`; the heap is bounded (OPENSEARCH_HEAP).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET="$HERE/target"
RUN="${OPENSEARCH_RUN:-$TARGET/run}"
HEAP="${OPENSEARCH_HEAP:-512m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

die() { echo "node.sh: $*" >&2; exit 1; }

build() {
  (cd "$HERE" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$TARGET/lib")
  mkdir -p "$TARGET/classes"
  "$JAVAC" -nowarn -d "$TARGET/classes" -cp "$TARGET/lib/*" \
    "$HERE"/src/main/java/org/congres/node/*.java
  echo "built: $TARGET/classes"
}

health() {  # prints the cluster status (green/yellow/red) once $2 nodes (default 1) have joined
  curl -s --max-time 3 "http://127.0.0.1:$1/_cluster/health?wait_for_nodes=%3E%3D${2:-1}&timeout=1s" \
    | grep '"timed_out":false' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true
}

start() {
  local nodes=1 port=9200
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      *) die "unknown option: $1" ;;
    esac
  done
  case "$nodes" in 1|2) ;; *) die "--nodes must be 1 or 2" ;; esac
  [ -d "$TARGET/classes/org" ] || die "not built: run '$0 build' first"
  if ls "$RUN"/*.pid >/dev/null 2>&1; then die "already started (see '$0 status'; '$0 stop' first)"; fi
  mkdir -p "$RUN"
  local home; home="$(mktemp -d "${TMPDIR:-/tmp}/congres-opensearch.XXXXXX")"
  echo "$home" > "$RUN/home"
  local transport=$((port + 100)) seeds="" managers=""
  if [ "$nodes" = 2 ]; then
    seeds="$transport,$((transport + 1))"; managers="node-1,node-2"
  fi
  for i in $(seq 1 "$nodes"); do
    local http=$((port + i - 1)) tport=$((transport + i - 1))
    local args=("node-$i" "$home/node-$i" "$http" "$tport")
    [ "$nodes" = 2 ] && args+=("$seeds" "$managers")
    echo "$http" > "$RUN/node-$i.port"
    printf '%s\n' "${args[@]}" > "$RUN/node-$i.args"
    launch "$i"
  done
  local deadline=$((SECONDS + ${OPENSEARCH_START_TIMEOUT:-120})) status=""
  until status="$(health "$port" "$nodes")"; [ "$status" = green ] || [ "$status" = yellow ]; do
    for f in "$RUN"/*.pid; do
      kill -0 "$(cat "$f")" 2>/dev/null || { tail -20 "${f%.pid}.log" >&2; stop >/dev/null; die "a node exited while starting"; }
    done
    [ $SECONDS -lt $deadline ] || { stop >/dev/null; die "no healthy cluster after ${OPENSEARCH_START_TIMEOUT:-120}s"; }
    sleep 1
  done
  echo "cluster $status: $nodes node(s), http://127.0.0.1:$port (heap $HEAP each, data in $home)"
}

launch() {  # node $1, with the arguments recorded at start
  local args; mapfile -t args < "$RUN/node-$1.args"
  nohup "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Dlog4j2.disable.jmx=true \
    -Djava.io.tmpdir="$(cat "$RUN/home")" -cp "$TARGET/classes:$TARGET/lib/*" \
    org.congres.node.CongresNode "${args[@]}" >> "$RUN/node-$1.log" 2>&1 &
  echo $! > "$RUN/node-$1.pid"
}

restart_node() {
  local i="${1:-}"
  [ -f "$RUN/node-$i.args" ] || die "no node '$i' was started (see '$0 status')"
  if kill -0 "$(cat "$RUN/node-$i.pid" 2>/dev/null)" 2>/dev/null; then die "node $i is running"; fi
  launch "$i"
  echo "restarted node-$i (pid $(cat "$RUN/node-$i.pid"))"
}

stop() {
  local f pid
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$f" "${f%.pid}.port" "${f%.pid}.args"
    echo "stopped $(basename "${f%.pid}") (pid $pid)"
  done
  if [ -f "$RUN/home" ]; then rm -rf "$(cat "$RUN/home")"; rm -f "$RUN/home"; fi
}

status() {
  local f pid any=0
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    any=1; pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then state=running; else state=dead; fi
    echo "$(basename "${f%.pid}"): pid $pid $state, http port $(cat "${f%.pid}.port")"
  done
  [ $any = 1 ] || { echo "no node started by this script"; return 1; }
  local port; port="$(cat "$RUN"/node-1.port 2>/dev/null || echo 9200)"
  echo "cluster: $(health "$port" || true)"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  build) build ;;
  start) start "$@" ;;
  stop) stop ;;
  status) status ;;
  restart-node) restart_node "$@" ;;
  *) die "usage: node.sh build | start [--nodes 1|2] [--port 9200] | stop | status | restart-node N" ;;
esac
