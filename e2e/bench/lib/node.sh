# shellcheck shell=bash
# A `damselfly node` for the benchmark scripts, alone on loopback: every port chosen by the kernel, its embedded
# scheduler, started through the ./damselfly launcher as an operator starts one (its default JVM options apply;
# DAMSELFLY_JAR in the caller's environment picks the jar). Source it after setting $root (the checkout).
#   node_start DIR HOSTNAME [SET...]  a node with a new, empty data dir in DIR (node.out and node.err there), extra
#                                     --set KEY=VALUE settings after the loopback ones; returns once it is ready and
#                                     its start-up mount warm-up is done; sets node_pid, node_admin (HOST:PORT) and
#                                     node_ready (its "node ready ..." line); returns 1, saying why, when it fails
#   node_stop                         SIGTERM (it unmounts what it mounted), up to 20 s, then SIGKILL
#   node_unmount MOUNTPOINT           asks the node to unmount (DELETE /api/v1/mounts), checks nothing stays mounted
#   node_field LINE KEY               the value of KEY=VALUE in a "node ready" line

node_pid=""
node_admin=""
node_ready=""

node_field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

node_start() {
  local dir="$1" name="$2" s args=()
  shift 2
  local sets=(host.ip=127.0.0.1 "host.hostname=$name" upload.listen=127.0.0.1 upload.grpcPort=0 upload.vortexPort=0
    scheduler.embeddedListen=127.0.0.1:0 proxy.listen=127.0.0.1 proxy.port=0 metrics.listen=127.0.0.1 metrics.port=0
    health.listen=127.0.0.1 health.port=0 admin.port=0 "$@")
  for s in "${sets[@]}"; do args+=(--set "$s"); done
  rm -rf "$dir"; mkdir -p "$dir"
  "$root/damselfly" node --data-dir "$dir/data" "${args[@]}" </dev/null >"$dir/node.out" 2>"$dir/node.err" &
  node_pid=$!
  node_ready=""
  for _ in $(seq 1 450); do
    node_ready=$(grep -m1 '^node ready ' "$dir/node.out" 2>/dev/null || true)
    [ -n "$node_ready" ] && break
    kill -0 "$node_pid" 2>/dev/null || { echo "the node exited: $(tail -20 "$dir/node.err")" >&2; return 1; }
    sleep 0.2
  done
  [ -n "$node_ready" ] || { echo "the node was not ready in 90 s: $(tail -20 "$dir/node.err")" >&2; return 1; }
  node_admin="127.0.0.1:$(node_field "$node_ready" admin)"
  # a DaemonSet's node has long finished starting when a container starts: wait for its mount warm-up (the FUSE
  # binding, the codecs) too
  for _ in $(seq 1 100); do grep -q 'mount warm-up' "$dir/node.err" 2>/dev/null && break; sleep 0.1; done
}

node_stop() {
  [ -n "$node_pid" ] || return 0
  kill -TERM "$node_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  node_pid=""
}

node_unmount() {
  local mp="$1" quoted
  quoted=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$mp")
  curl -sf -X DELETE "http://$node_admin/api/v1/mounts?mountpoint=$quoted" >/dev/null \
    || { echo "the node did not unmount $mp" >&2; return 1; }
  ! mountpoint -q "$mp" || { echo "$mp is still mounted after the node unmounted it" >&2; return 1; }
}
