#!/bin/sh
# Poll the store; write a heartbeat only while it answers.
while true; do
  if wget -q -O /dev/null "${STORE_URL:-http://store:6379/}health"; then
    date > /tmp/heartbeat
  fi
  sleep 2
done
