#!/bin/sh
# `arvis health` against the scripted model server: the table, the exit codes (0 healthy,
# 1 degraded, 2 unhealthy), the message when the server is down, and --json read by jq.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/llm_server.sh"

fresh_home
export ARVIS_LLM_MODEL=gemma2:2b
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
check "speech input is reported as not built yet" eval 'out_has "speech input is not built yet"'

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

arvis health --watch
check "an unknown option is a usage error" eval 'rc_is 2 && err_has "unknown argument --watch"'

finish
