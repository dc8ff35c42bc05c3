#!/bin/sh
# `arvis health` against the scripted model server: the table, the exit codes (0 healthy,
# 1 degraded, 2 unhealthy), the message when the server is down, --json read by jq, and
# --watch: a line per change while the server goes away, the audit log, SIGTERM.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/llm_server.sh"

fresh_home
export ARVIS_LLM_MODEL=gemma2:2b
# Loading the speech model on a busy machine must not decide the exit codes below.
export ARVIS_HEALTH_DEGRADED_LATENCY_MS=60000
serve '{"models":["gemma2:2b"],"version":"0.5.7"}'

# Without PulseAudio the (not required) audio component is degraded, and so is the whole.
arvis health --json
AUDIO=$(printf '%s' "$OUT" | jq -r '.components[] | select(.component == "audio") | .status')
check "--json is read by jq, with every component" \
    eval '[ "$(printf "%s" "$OUT" | jq ".components | length")" -eq 6 ]'
check "the model server is healthy" \
    eval '[ "$(printf "%s" "$OUT" | jq -r ".components[] | select(.component == \"llm\") | .status")" = HEALTHY ]'
if [ "$AUDIO" = HEALTHY ]; then WANT=0; WANT_STATUS=HEALTHY; else WANT=1; WANT_STATUS=DEGRADED; fi
check "--json exits $WANT with audio $AUDIO" eval 'rc_is $WANT'
check "--json overall status matches" \
    eval '[ "$(printf "%s" "$OUT" | jq -r .status)" = "$WANT_STATUS" ]'

arvis health
check "the table lists each component and the overall status" \
    eval 'rc_is $WANT && out_has "llm*" && out_has "storage*" && out_has "overall: $WANT_STATUS"'
check "speech input is checked: its recogniser has its model files" eval 'out_has "pocketsphinx has its model files"'

# No sound device only degrades, even when audio is required: speech can still go to files.
arvis --set 'health.required=["llm","storage","audio"]' health
check "audio required: still exit $WANT" eval 'rc_is $WANT && out_has "audio*"'

stop_server
arvis health
check "with the server down: exit 2, saying how to start it" \
    eval 'rc_is 2 && out_has "UNHEALTHY" && out_has "ollama serve"'
arvis health --json
check "with the server down, --json says unhealthy" \
    eval 'rc_is 2 && [ "$(printf "%s" "$OUT" | jq -r .status)" = UNHEALTHY ]'

arvis health --wach
check "an unknown option is a usage error" eval 'rc_is 2 && err_has "unknown argument --wach"'
arvis health --watch --interval 0
check "--interval 0 is a usage error" eval 'rc_is 2 && err_has "--interval needs whole seconds"'
arvis health --watch --interval
check "--interval without a value is a usage error" eval 'rc_is 2 && err_has "not nothing"'
arvis health --interval 5
check "--interval without --watch is a usage error" eval 'rc_is 2 && err_has "goes with --watch"'

# wait_for FILE PATTERN: polls FILE for a line matching PATTERN for up to ~30 s (a wait for
# the watcher, not a measure of its speed).
wait_for() {
    i=0
    while ! grep -q -- "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    grep -q -- "$2" "$1" 2>/dev/null
}

# stop_watch: SIGTERM to the watcher; its exit code in $RC, its output in $OUT and $ERR.
stop_watch() {
    kill -TERM "$WATCH_PID"
    wait "$WATCH_PID"
    RC=$?
    OUT=$(cat "$WORK/watch.out")
    ERR=$(cat "$WORK/watch.err")
}

# --watch: the table once, then a line per change, until SIGTERM; exit code of the last check.
fresh_home
serve '{"models":["gemma2:2b"],"version":"0.5.7"}'
"$TEST_ARVIS_BIN" health --watch --interval 1 >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
wait_for "$WORK/watch.out" "^overall:"
stop_server
wait_for "$WORK/watch.out" "llm HEALTHY -> UNHEALTHY"
stop_watch
check "--watch prints the table once" \
    eval '[ "$(grep -c "^COMPONENT" "$WORK/watch.out")" -eq 1 ] && out_has "llm*"'
check "--watch prints the change with its time and what to do" \
    eval 'grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2} llm HEALTHY -> UNHEALTHY: .*ollama serve" "$WORK/watch.out"'
check "--watch prints the overall change" eval 'out_has "overall HEALTHY -> UNHEALTHY" || out_has "overall DEGRADED -> UNHEALTHY"'
check "--watch ends on SIGTERM with the last status: 2" eval 'rc_is 2'
AUDIT="$ARVIS_HOME/state/audit.jsonl"
check "the audit log holds the change" \
    eval '[ "$(jq -c "select(.event == \"health.status_changed\" and .component == \"llm\" and .details.from == \"HEALTHY\" and .status == \"UNHEALTHY\")" "$AUDIT" | wc -l)" -eq 1 ]'
check "the audit log holds the failed checks" \
    eval '[ "$(jq -c "select(.event == \"health.check_failed\" and .component == \"llm\")" "$AUDIT" | wc -l)" -ge 1 ]'

# --watch --json: one JSON object a line per change, the first statuses included.
"$TEST_ARVIS_BIN" health --watch --json --interval 1 >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
wait_for "$WORK/watch.out" '"component":"overall"'
stop_watch
check "--watch --json: every line is an object jq reads" \
    eval '[ "$(jq -c . "$WORK/watch.out" | wc -l)" -eq "$(wc -l <"$WORK/watch.out")" ]'
check "--watch --json: llm from UNKNOWN to UNHEALTHY, exit 2" \
    eval 'rc_is 2 && [ "$(jq -r "select(.component == \"llm\") | .from + \">\" + .to" "$WORK/watch.out")" = "UNKNOWN>UNHEALTHY" ]'

finish
