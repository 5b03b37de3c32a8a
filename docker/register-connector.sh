#!/bin/sh
# One-shot job of the `connect-init` compose service: registers (or updates) the Debezium connector with Kafka
# Connect's REST API, then waits until the connector and its task run, so that a bad database setting fails
# `docker compose up` with Connect's own error instead of leaving a silently FAILED connector behind.
#
# Environment: CONNECT_URL (http://connect:8083), CONNECTOR_NAME (unics-postgres), CONNECTOR_CONFIG (path of the
# flat JSON config, docker/debezium-postgres.json), REGISTER_TIMEOUT_SECONDS (default 180).
set -eu

: "${CONNECT_URL:?CONNECT_URL must be set, e.g. http://connect:8083}"
: "${CONNECTOR_NAME:?CONNECTOR_NAME must be set, e.g. unics-postgres}"
: "${CONNECTOR_CONFIG:?CONNECTOR_CONFIG must name the connector JSON file}"
timeout_s="${REGISTER_TIMEOUT_SECONDS:-180}"
deadline=$(( $(date +%s) + timeout_s ))
body=/tmp/connect-response.json

log() { echo "connect-init: $*"; }
fail() { echo "connect-init: $*" >&2; exit 1; }
past_deadline() { [ "$(date +%s)" -ge "$deadline" ]; }

[ -r "$CONNECTOR_CONFIG" ] || fail "cannot read the connector config $CONNECTOR_CONFIG; mount docker/debezium-postgres.json there"

# PUT .../config creates the connector or updates it in place, so running this job again is harmless.
# Connect answers 409 while its worker group rebalances and 5xx while it starts: retry those; anything else
# (400 for an invalid config, 404, ...) is a real error and is reported at once with Connect's message.
url="$CONNECT_URL/connectors/$CONNECTOR_NAME/config"
log "PUT $url"
while :; do
  code=$(curl -sS -o "$body" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data "@$CONNECTOR_CONFIG" "$url" 2>/dev/null || true)
  case "$code" in
    200|201) log "connector $CONNECTOR_NAME registered (HTTP $code)"; break ;;
    000|409|5??) past_deadline && fail "Kafka Connect at $CONNECT_URL still answers HTTP $code after ${timeout_s}s: $(cat "$body" 2>/dev/null)" ;;
    *) fail "Kafka Connect rejected the config of $CONNECTOR_NAME with HTTP $code: $(cat "$body")" ;;
  esac
  sleep 2
done

# The status lists the connector's state first, then one state per task. Wait for all of them to be RUNNING.
status_url="$CONNECT_URL/connectors/$CONNECTOR_NAME/status"
while :; do
  status=$(curl -sS --fail "$status_url" 2>/dev/null || true)
  total=$(printf '%s' "$status" | grep -o '"state":"[A-Z_]*"' | wc -l)
  running=$(printf '%s' "$status" | grep -o '"state":"RUNNING"' | wc -l)
  if [ "$total" -ge 2 ] && [ "$running" -eq "$total" ]; then
    log "connector $CONNECTOR_NAME and its task are RUNNING"
    exit 0
  fi
  case "$status" in
    *'"state":"FAILED"'*) fail "connector $CONNECTOR_NAME failed; status from Kafka Connect: $status" ;;
  esac
  past_deadline && fail "connector $CONNECTOR_NAME is not RUNNING after ${timeout_s}s; last status: ${status:-none}"
  sleep 2
done
