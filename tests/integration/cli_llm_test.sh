#!/bin/sh
# `arvis ask`, `chat`, `llm` and `history` against the scripted model server (started here on
# loopback, stopped at the end): answers, measurements, failures and Ctrl-C.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/llm_server.sh"

# wait_for FILE TEXT: until FILE holds TEXT (bounded).
wait_for() {
    i=0
    while ! grep -qF -- "$2" "$1" 2>/dev/null && [ $i -lt 5000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
}

fresh_home
serve '{"models":["gemma2:2b","phi3:mini"],"version":"0.5.7","replies":[{"text":"Hello there. I am Arvis."}]}'

arvis ask "Who are you?"
check "ask prints the streamed answer" eval 'rc_is 0 && [ "$OUT" = "Hello there. I am Arvis." ]'
arvis history list
check "the turn is in the history" eval 'rc_is 0 && out_has "1  " && out_has "user: Who are you?" && out_has "assistant: Hello there. I am Arvis."'

arvis ask --stats Say hello
check "ask --stats prints the measurements on stderr" eval 'rc_is 0 && err_has "time to first token" && err_has "tokens/s (server)" && err_has "ended                  stop"'

arvis ask --json --no-history "What now?"
check "ask --json prints one JSON line per event, then done with the stats" eval 'rc_is 0 && out_has "{\"event\":\"token\",\"text\":\"Hell\"}" && out_has "{\"event\":\"sentence\",\"text\":\"Hello there.\",\"early\":false}" && out_has "\"event\":\"done\",\"answer\":\"Hello there. I am Arvis.\"" && out_has "\"done_reason\":\"stop\""'
printf '%s\n' "$OUT" | jq -e . >/dev/null 2>&1
check "every --json line is JSON" eval '[ $? -eq 0 ] || ! command -v jq >/dev/null'
arvis history list
check "--no-history leaves the history alone" eval '[ "$(printf "%s\n" "$OUT" | grep -c .)" -eq 4 ]'

printf 'A question\nover two lines' | "$TEST_ARVIS_BIN" ask - >"$WORK/o" 2>&1
check "ask - reads the question from stdin" eval '[ "$(cat "$WORK/o")" = "Hello there. I am Arvis." ]'

arvis ask
check "ask without a question is a usage error" eval 'rc_is 2 && err_has "what is the question?"'
arvis ask --loud hi
check "ask refuses an unknown option" eval 'rc_is 2 && err_has "unknown option --loud"'
arvis ask "$(printf 'bad \377 bytes')"
check "a question that is not UTF-8 is refused" eval 'rc_is 2 && err_has "not valid UTF-8"'

arvis --set llm.model=mistral ask hi
check "an unknown model is named with the ones there are" eval 'rc_is 2 && err_has "no model \"mistral\"" && err_has "it has: gemma2:2b, phi3:mini" && err_has "ollama pull"'

arvis llm models
check "llm models lists them and marks the one in use" eval 'rc_is 0 && out_has "* gemma2:2b" && out_has "  phi3:mini"'
arvis llm check
check "llm check gives the version and finds the model" eval 'rc_is 0 && out_has "(0.5.7)" && out_has "gemma2:2b is there"'
arvis --set llm.model=mistral llm check
check "llm check fails when the model is missing" eval 'rc_is 2 && err_has "no model \"mistral\""'
arvis llm warmup
check "llm warmup loads the model and says so" eval 'rc_is 0 && out_has "gemma2:2b loaded in" && err_has "loading gemma2:2b on Ollama"'
arvis llm fly
check "llm refuses an unknown subcommand" eval 'rc_is 2 && err_has "unknown subcommand \"fly\""'

arvis --set llm.provider=openai ask hi
check "the openai provider streams the same answer" eval 'rc_is 0 && [ "$OUT" = "Hello there. I am Arvis." ]'
arvis --set llm.provider=openai llm check
check "llm check works with an OpenAI-compatible server" eval 'rc_is 0 && out_has "OpenAI-compatible"'

printf 'Hi there\n/stats\n/model\n/history\n/quit\nnever asked\n' | "$TEST_ARVIS_BIN" chat >"$WORK/o" 2>"$WORK/e"
RC=$?
OUT=$(cat "$WORK/o")
ERR=$(cat "$WORK/e")
check "chat answers, shows stats and models, and stops at /quit" eval 'rc_is 0 && out_has "Hello there. I am Arvis." && out_has "time to first token" && out_has "using gemma2:2b" && ! out_has "never asked" && err_has "gemma2:2b is ready"'

"$TEST_ARVIS_BIN" ask "Привет! Расскажи мне, пожалуйста, очень подробно о том, как устроена эта программа и зачем она нужна." >/dev/null 2>&1
arvis history list
check "history list cuts a long message at 70 characters, not inside one" eval 'rc_is 0 && out_has "user: Привет! Расскажи мне, пожалуйста, очень подробно о том, как устроена э..."'

arvis history show 1
check "history show N prints one message in full" eval 'rc_is 0 && out_has "user" && out_has "Who are you?"'
arvis history show 99
check "history show refuses a message that is not there" eval 'rc_is 2 && err_has "there is no message \"99\""'
arvis history export "$WORK/export.json"
check "history export writes JSON to a file" eval 'rc_is 0 && grep -q "\"role\": \"assistant\"" "$WORK/export.json"'
arvis history export --text
check "history export --text prints plain text" eval 'rc_is 0 && out_has "Who are you?" && ! out_has "\"role\""'
arvis history export "$WORK/no/such/dir/x.json"
check "history export to a folder that does not exist fails clearly" eval 'rc_is 2 && err_lines 1 && err_has "No such file"'
arvis history clear
check "history clear forgets and keeps a backup" eval 'rc_is 0 && out_has "Forgot" && test -e "$ARVIS_HOME/data/history.json.bak"'
arvis history list
check "after clear the history is empty" eval 'rc_is 0 && out_has "The conversation is empty."'

printf '{"messages": [{"role": "robot"' >"$ARVIS_HOME/data/history.json"
arvis history list
check "a damaged history is moved aside with a warning, not lost" eval 'rc_is 0 && err_has "could not be read" && test -e "$ARVIS_HOME/data/history.json.corrupt"'

stop_server
arvis --set llm.base_url=http://127.0.0.1:9 --set llm.retries=0 ask hi
check "a server that is down gives one message, how to start it, and exit 3" eval 'rc_is 3 && err_lines 1 && err_has "cannot reach Ollama at http://127.0.0.1:9" && err_has "ollama serve"'
arvis --set llm.base_url=http://127.0.0.1:9 --set llm.retries=0 ask --json hi
check "with --json a failure is an error event, then done, and exit 3" eval 'rc_is 3 && out_has "{\"event\":\"error\",\"text\":\"cannot reach Ollama" && out_has "\"code\":\"service or device unavailable\"" && out_has "\"event\":\"done\",\"answer\":\"\",\"cut\":true"'
arvis --set llm.base_url=http://127.0.0.1:9 --set llm.retries=1 --set llm.retry_backoff_ms=0 ask hi
check "retries are announced" eval 'rc_is 3 && err_has "trying again in 0 ms (1 of 1)"'
arvis --set llm.base_url=http://127.0.0.1:9 chat --no-warmup </dev/null
check "chat watches health: the model server down at start is one warning, and in the audit log" eval 'rc_is 0 && [ "$(printf "%s\n" "$ERR" | grep -c "health: llm is UNHEALTHY")" -eq 1 ] && grep -q "\"health.check_failed\",\"component\":\"llm\"" "$ARVIS_HOME/state/audit.jsonl"'

serve '{"replies":[{"text":"one two three four","fault":"stall","fault_after":2}]}'
arvis --set llm.stream_chunk_timeout_ms=1000 ask "Count"
check "a stalled answer ends at the read gap with what was received" eval 'rc_is 3 && out_has "one two" && err_has "stopped answering"'
arvis history list
check "the cut answer is in the history, marked" eval 'out_has "assistant (cut): one two"'

serve '{"replies":[{"text":"Counting now: one two three four five six seven","fault":"stall","fault_after":6}]}'
# A shell without job control starts background commands with SIGINT ignored, so the test
# sends SIGTERM, which Arvis takes the same way as Ctrl-C.
"$TEST_ARVIS_BIN" --set llm.stream_chunk_timeout_ms=20000 ask "Count again" >"$WORK/o" 2>"$WORK/e" &
ASK_PID=$!
wait_for "$WORK/o" "Counting"
kill -TERM "$ASK_PID"
wait "$ASK_PID"
RC=$?
OUT=$(cat "$WORK/o")
ERR=$(cat "$WORK/e")
check "Ctrl-C (SIGTERM here) stops the answer: exit 1, cancelled" eval 'rc_is 1 && out_has "Counting now: one two" && err_has "cancelled: the answer was stopped; what was received is kept in the history"'
arvis history list
check "the cancelled answer is kept, marked as cut" eval 'out_has "assistant (cut): Counting now: one two"'

serve '{"replies":[{"text":"one two","fault":"malformed","fault_after":1}]}'
arvis ask hi
check "nonsense from the server is quoted in one message" eval 'rc_is 1 && err_lines 1 && err_has "not JSON: \"this is not json\""'

serve '{"replies":[{"fault":"http_error","status":500,"body":"{\"error\":\"out of memory\"}"}]}'
arvis ask hi
check "an HTTP error gives the reason the server sent" eval 'rc_is 1 && err_lines 1 && err_has "answered 500: out of memory"'

finish
