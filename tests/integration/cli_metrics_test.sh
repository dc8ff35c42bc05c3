#!/bin/sh
# `arvis metrics` on a fresh home and after real turns: the figures a voice turn stored, in the
# four formats (the Prometheus text checked by a strict reader of the format below), --since,
# damaged storage, bad flags; and the notifications a failed turn leaves for `arvis notify`.
. "$(dirname "$0")/tap.sh"
export PULSE_SERVER="unix:$WORK/no-pulse-here"

# prom_check FILE: exit 0 when FILE is valid Prometheus text (0.0.4): every line a HELP or TYPE
# comment or a sample; each family declared once, before its samples; names and labels
# well-formed; values numbers; histogram buckets cumulative with increasing bounds, ending in
# +Inf equal to _count. Prints the first problem.
prom_check() {
    awk '
    function fail(m) { print "line " NR ": " m ": " $0; bad = 1; exit 1 }
    function family(n) {
        if (n in type) return n
        sub(/_(bucket|sum|count)$/, "", n)
        return n
    }
    /^# HELP / { if (!($3 ~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/)) fail("bad name in HELP");
                 if ($3 in help) fail("HELP twice"); help[$3] = 1; next }
    /^# TYPE / { if ($3 in type) fail("TYPE twice");
                 if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/) fail("bad type");
                 type[$3] = $4; last = $3; prev_le = -1; prev_count = -1; next }
    /^#/ { next }
    /^$/ { fail("empty line") }
    {
        if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [^ ]+$/)) fail("not a sample")
        name = $0; sub(/[{ ].*/, "", name)
        labels = ""; if (index($0, "{")) { labels = $0; sub(/^[^{]*\{/, "", labels); sub(/\}.*/, "", labels) }
        value = $NF
        if (value !~ /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/ && value !~ /^[-+]?Inf$/ && value != "NaN") fail("bad value")
        if (labels != "" && labels !~ /^([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)+$/) fail("bad labels")
        f = family(name)
        if (!(f in type)) fail("sample before its TYPE")
        if (f != last) fail("sample outside its family")
        if (type[f] == "histogram" && name ~ /_bucket$/) {
            le = labels; sub(/.*le="/, "", le); sub(/".*/, "", le)
            if (le == "+Inf") inf = value + 0
            else if (prev_le != -1 && le + 0 <= prev_le) fail("bucket bounds not increasing")
            else prev_le = le + 0
            if (value + 0 < prev_count) fail("buckets not cumulative")
            prev_count = value + 0
        }
        if (type[f] == "histogram" && name ~ /_count$/ && value + 0 != inf) fail("+Inf is not _count")
        samples++
    }
    END { if (!bad && samples == 0) { print "no samples"; exit 1 } }
    ' "$1"
}

fresh_home
arvis metrics
check "metrics on a fresh home says nothing is stored and shows the system" eval 'rc_is 0 && out_has "no stored samples" && out_has "arvis_system_load1" && out_has "GPU: none found"'
arvis metrics --prometheus
printf '%s\n' "$OUT" >"$WORK/fresh.prom"
check "the Prometheus text of a fresh home is valid" eval 'rc_is 0 && prom_check "$WORK/fresh.prom"'

# A spoken turn an offline skill answers stores its figures.
arvis say --engine flite --voice kal16 --out "$WORK/q.wav" "What is twelve times seven?"
arvis voice --no-history --in "$WORK/q.wav" --out "$WORK/r.wav"
check "a voice turn runs" eval 'rc_is 0 && out_has "84"'
arvis metrics
check "the table shows the turn's figures with their statistics" eval 'rc_is 0 && out_has "arvis_turn_first_audio_seconds" && out_has "P95" && out_has "arvis_stt_real_time_factor" && out_has "arvis_tts_first_audio_seconds{engine=\"flite\"}"'
arvis metrics --json
check "--json holds the turn as a histogram sample" eval 'rc_is 0 && [ "$(printf "%s" "$OUT" | jq "[.metrics[] | select(.name == \"arvis_turn_seconds\")][0].window.count")" -eq 1 ]'
arvis metrics --prometheus
printf '%s\n' "$OUT" >"$WORK/turn.prom"
check "--prometheus is valid Prometheus text with the turn's histogram" eval 'rc_is 0 && prom_check "$WORK/turn.prom" && out_has "arvis_turn_seconds_count 1"'
arvis metrics --csv
check "--csv has a header and one line per series" eval 'rc_is 0 && printf "%s\n" "$OUT" | head -1 | grep -q "^name,labels,type,count" && out_has "arvis_turn_seconds,"'
arvis metrics --since 7d --json
check "--since 7d keeps the turn" eval 'rc_is 0 && out_has "arvis_turn_seconds"'

# The checker itself refuses what the format does not allow.
printf '# TYPE x_total counter\nx_total{a="1} 3\n' >"$WORK/bad.prom"
check "the Prometheus checker refuses a broken label" eval '! prom_check "$WORK/bad.prom" >/dev/null'
printf '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_count 2\n' >"$WORK/bad2.prom"
check "the Prometheus checker refuses buckets that are not cumulative" eval '! prom_check "$WORK/bad2.prom" >/dev/null'

# Damaged storage: garbage lines are skipped, the good ones kept.
f=$(ls "$ARVIS_HOME"/data/metrics/*.jsonl | head -1)
printf 'garbage\n{"v": 1, "name": 5}\n{"truncated": ' >>"$f"
arvis metrics --json
check "damaged lines are skipped with one warning and the good ones kept" eval 'rc_is 0 && out_has "arvis_turn_seconds" && [ "$(printf "%s\n" "$ERR" | grep -c warning)" -le 1 ]'

arvis metrics --since yesterday
check "a bad --since is a usage error" eval 'rc_is 2 && err_has "since"'
arvis metrics --json --csv
check "two formats at once is a usage error" eval 'rc_is 2'
arvis metrics --frobnicate
check "an unknown flag is a usage error" eval 'rc_is 2'

# A turn whose model cannot be reached leaves a notification and an error count.
arvis say --engine flite --voice slt --out "$WORK/moon.wav" "Tell me about the moon."
arvis --set llm.retries=0 --set llm.base_url=http://127.0.0.1:9 voice --no-history --in "$WORK/moon.wav" --out "$WORK/r2.wav"
check "a turn without the model server exits 3 with one error line" eval 'rc_is 3 && [ "$(printf "%s\n" "$ERR" | grep -c "cannot reach")" -eq 1 ]'
arvis notify list
check "the failure is in the notification history" eval 'rc_is 0 && out_has "llm:" && out_has "cannot reach"'
arvis metrics --json
check "and counted as a model error" eval 'rc_is 0 && [ "$(printf "%s" "$OUT" | jq "[.metrics[] | select(.name == \"arvis_llm_errors_total\")][0].value")" -ge 1 ]'
arvis --set llm.retries=0 --set llm.base_url=http://127.0.0.1:9 ask --no-history "hello"
check "arvis ask without the server: one error line, exit 3" eval 'rc_is 3 && [ "$(printf "%s\n" "$ERR" | grep -c "error:")" -eq 1 ]'
arvis metrics --json
check "the failed ask is counted too" eval 'rc_is 0 && [ "$(printf "%s" "$OUT" | jq "[.metrics[] | select(.name == \"arvis_llm_errors_total\")][0].value")" -ge 2 ]'

# metrics.window: the window statistics cover that many of the newest samples.
now=$(($(date +%s) * 1000))
i=0
while [ $i -lt 30 ]; do
    printf '{"t":%d,"name":"arvis_stt_latency_seconds","type":"histogram","labels":{},"v":%d}\n' $((now - 30 + i)) $i
    i=$((i + 1))
done >>"$(ls "$ARVIS_HOME"/data/metrics/*.jsonl | tail -1)"
latency='[.metrics[] | select(.name == "arvis_stt_latency_seconds")][0].window'
arvis --set metrics.window=10 metrics --json
check "metrics.window=10: statistics over the 10 newest samples" eval 'rc_is 0 && [ "$(printf "%s" "$OUT" | jq "$latency.count")" -eq 10 ] && [ "$(printf "%s" "$OUT" | jq "$latency.min")" -eq 20 ]'
arvis metrics --json
check "the default window holds all 30 (and the voice turn's)" eval 'rc_is 0 && [ "$(printf "%s" "$OUT" | jq "$latency.count")" -ge 30 ]'
arvis --set metrics.window=100000 metrics
check "a window above 16384 is refused, naming the key" eval '[ "$RC" -ne 0 ] && err_has "metrics.window"'

finish
