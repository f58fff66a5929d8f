#!/usr/bin/env bash
# Prints a coturn configuration (turnserver.conf) for this platform from the TURN_* environment
# (docs/deployment.md#turn): the TURN REST shared secret the node issues credentials with, UDP and
# TCP on TURN_PORT, TLS on TURN_TLS_PORT when a certificate is given (443 for firewalls that pass
# nothing else), and relaying to the SFU's address only — a participant's credentials must not
# turn coturn into a way into the server's network. scripts/setup.sh installs it.
set -euo pipefail

: "${TURN_SECRET:?TURN_SECRET is required}"
: "${TURN_URLS:?TURN_URLS is required}"
first_url="${TURN_URLS%%,*}"
host="${first_url#*:}"
host="${host%%\?*}"
host="${host%:*}"
realm="${TURN_REALM:-$host}"
peer_ip="${TURN_PEER_IP:-${RTC_ANNOUNCED_IP:-127.0.0.1}}"

cat <<CONF
# Written by scripts/setup.sh from TURN_* (scripts/turn-conf.sh); edits are overwritten.
listening-port=${TURN_PORT:-3478}
min-port=${TURN_RELAY_MIN_PORT:-49160}
max-port=${TURN_RELAY_MAX_PORT:-49999}
realm=$realm
use-auth-secret
static-auth-secret=$TURN_SECRET
fingerprint
no-cli
no-multicast-peers
no-tcp-relay
# Relay to the SFU only.
denied-peer-ip=0.0.0.0-255.255.255.255
denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
allowed-peer-ip=$peer_ip
CONF
[ -n "${TURN_LISTEN_IP:-}" ] && echo "listening-ip=$TURN_LISTEN_IP"
[ -n "${TURN_EXTERNAL_IP:-}" ] && echo "external-ip=$TURN_EXTERNAL_IP"
case "$peer_ip" in 127.*) echo "allow-loopback-peers" ;; esac
if [ -n "${TURN_TLS_CERT:-}" ] && [ -n "${TURN_TLS_KEY:-}" ]; then
  cat <<CONF
tls-listening-port=${TURN_TLS_PORT:-5349}
cert=$TURN_TLS_CERT
pkey=$TURN_TLS_KEY
no-tlsv1
no-tlsv1_1
CONF
else
  echo "no-tls"
  echo "no-dtls"
fi
echo "log-file=${TURN_LOG_FILE:-syslog}"
echo "simple-log"
