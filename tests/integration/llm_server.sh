# The scripted model server for the integration tests: started on loopback by serve, stopped
# by stop_server and at exit. Sourced after tap.sh.
: "${TEST_FAKE_LLM:?TEST_FAKE_LLM must name the scripted server}"
SERVER_PID=""
trap 'stop_server; rm -rf "$WORK"' EXIT

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
    fi
}

# serve SCRIPT_JSON: a fresh server with that script; its address in $URL and in the config.
serve() {
    stop_server
    printf '%s' "$1" >"$WORK/script.json"
    : >"$WORK/url"
    "$TEST_FAKE_LLM" --script "$WORK/script.json" >"$WORK/url" &
    SERVER_PID=$!
    i=0
    while [ ! -s "$WORK/url" ] && [ $i -lt 5000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    URL=$(head -n 1 "$WORK/url")
    export ARVIS_LLM_BASE_URL="$URL"
}
