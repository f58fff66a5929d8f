#!/usr/bin/env bash
# Prints the load balancer's configuration (haproxy.cfg) for a cluster of product nodes
# (docs/deployment.md#load-balancer): health checks on /healthz, sticky socket.io sessions by
# cookie, and a dead node's clients sent to a live one. The failover test through HAProxy
# (test/call/failover-haproxy.browser.test.ts) runs the configuration this prints.
#
#   HAPROXY_NODES  required: the nodes, "name=host:port" separated by commas
#                  (e.g. node-a=10.0.0.11:3000,node-b=10.0.0.12:3000,node-c=10.0.0.13:3000)
#   HAPROXY_BIND   the entry address and its TLS (default ":443 ssl crt /etc/haproxy/site.pem")
#   HAPROXY_MAXCONN  connections at once (default 20000: one signalling socket per client, and
#                  HAProxy needs two file descriptors each, so its open-files limit must allow that)
set -euo pipefail

: "${HAPROXY_NODES:?HAPROXY_NODES is required (name=host:port,...)}"
bind="${HAPROXY_BIND:-:443 ssl crt /etc/haproxy/site.pem}"

cat <<CONF
# Written from HAPROXY_* by scripts/haproxy-conf.sh.
global
  maxconn ${HAPROXY_MAXCONN:-20000}

defaults
  mode http
  timeout connect 2s
  timeout client  60s
  timeout server  60s
  timeout tunnel  1h          # websocket signalling stays open for the whole call
  option  redispatch          # a dead node's sticky clients go to another node
  retries 2

frontend entry
  bind $bind
  option forwardfor           # the nodes limit per client address (TRUST_PROXY)
  default_backend nodes

backend nodes
  balance leastconn
  cookie SVNODE insert indirect nocache   # sticky socket.io sessions (needed for HTTP long-polling)
  option httpchk GET /healthz
  http-check expect status 200            # 503: Redis or a worker down, or the node stopping
  default-server inter 1s fall 2 rise 2
CONF
IFS=',' read -ra nodes <<<"$HAPROXY_NODES"
for n in "${nodes[@]}"; do
  name="${n%%=*}"
  address="${n#*=}"
  [ -n "$name" ] && [ "$address" != "$n" ] || { echo "HAPROXY_NODES: '$n' is not name=host:port" >&2; exit 1; }
  echo "  server $name $address check cookie $name"
done
