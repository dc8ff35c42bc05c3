#!/bin/sh
# `arvis notify`: send, list and clear with the real binary; a repeat merged across two
# processes through the saved history; a bad level; a damaged history file.
. "$(dirname "$0")/tap.sh"
# No desktop session is reachable from the tests.
unset DBUS_SESSION_BUS_ADDRESS
HISTORY="$ARVIS_HOME/data/notifications.jsonl"

fresh_home

arvis notify list
check "list on a fresh machine says there are none" eval 'rc_is 0 && out_has "no notifications"'
arvis notify send warning "disk almost full" --component storage
check "send says it was sent" eval 'rc_is 0 && out_has "sent"'
arvis notify send WARNING "disk almost full" --component storage
check "the same again from another process merges into the saved one" eval 'rc_is 0 && out_has "merged"'
arvis notify send error "model server unreachable"
check "another message is sent" eval 'rc_is 0 && out_has "sent"'
arvis notify list
check "list shows both, the repeat with its count" eval 'rc_is 0 && out_has "warning   storage: disk almost full (2 times" && out_has "error     arvis: model server unreachable" && [ "$(printf "%s\n" "$OUT" | wc -l)" -eq 2 ]'
arvis notify list --json
check "list --json gives the entries with counts" eval 'rc_is 0 && out_has "\"count\": 2" && out_has "\"component\": \"storage\"" && out_has "\"level\": \"error\""'
check "the audit log has one line per delivered notification" eval '[ "$(wc -l <"$ARVIS_HOME/state/audit.jsonl")" -eq 2 ] && grep -q "\"event\":\"notification\"" "$ARVIS_HOME/state/audit.jsonl"'
arvis --set notifications.merge_window_sec=0 notify send warning "disk almost full" --component storage
check "with no merge window a repeat is sent again" eval 'rc_is 0 && out_has "sent"'

arvis notify send loud "x"
check "a bad level is a usage error that lists the levels" eval 'rc_is 2 && err_has "unknown level \"loud\"" && err_has "debug, info, warning, error, critical"'
arvis notify send info
check "send without a message is a usage error" eval 'rc_is 2 && err_has "LEVEL"'
arvis notify send info ""
check "an empty message is a usage error" eval 'rc_is 2 && err_has "message is empty"'
arvis notify frobnicate
check "an unknown subcommand is a usage error" eval 'rc_is 2 && err_has "list, clear or send"'

arvis notify clear
check "clear empties the history" eval 'rc_is 0 && [ ! -s "$HISTORY" ]'
arvis notify list
check "list after clear shows none" eval 'rc_is 0 && out_has "no notifications"'

{
    printf '%s\n' '{"time":1800000000,"last":1800000000,"level":"info","component":"a","message":"kept","count":3}'
    printf '%s\n' 'garbage'
    printf '%s' '{"time":1800000001,"level":"error","comp'
} >"$HISTORY"
arvis notify list
check "a damaged history keeps its good entries with one warning" eval 'rc_is 0 && out_has "info      a: kept" && out_has "(3 times" && err_has "2 damaged entries" && err_lines 1'
arvis notify send info "after the damage"
check "sending after damage works and drops the damaged lines" eval 'rc_is 0 && [ "$(wc -l <"$HISTORY")" -eq 2 ] && ! grep -q garbage "$HISTORY"'

finish
