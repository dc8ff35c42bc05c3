#!/bin/sh
# `arvis config` against real files: reading, changing, refusing, migrating. Every refused change
# must leave the file byte-identical.
. "$(dirname "$0")/tap.sh"
SRC=${TEST_SOURCE_ROOT:-.}

fresh_home
arvis config path
check "config path is under ARVIS_HOME" eval 'rc_is 0 && [ "$OUT" = "$CONFIG" ]'

arvis config validate
check "no config file means the defaults, and they are valid" eval 'rc_is 0 && out_has "valid (no file: the defaults apply)"'

arvis config show
check "show prints every key" eval 'rc_is 0 && out_has "llm.model = \"gemma2:2b\"" && out_has "tts.engine = \"flite\""'

arvis config show --json
printf '%s\n' "$OUT" >"$WORK/shown.json"
arvis config validate "$WORK/shown.json"
check "show --json prints a whole config that validates" eval 'rc_is 0'

arvis config set llm.temperature 0.5
check "set writes a valid value" eval 'rc_is 0 && out_has "llm.temperature = 0.5"'
arvis config get llm.temperature
check "get reads it back" eval 'rc_is 0 && [ "$OUT" = "0.5" ]'
check "the file has a config_version" grep -q '"config_version": 1' "$CONFIG"

cp "$CONFIG" "$WORK/before"
arvis config set llm.temperature 2.5
check "set refuses an out-of-range value with exit 2 and names the range" eval 'rc_is 2 && err_has "llm.temperature: 2.5 is out of range: expected a value from 0 to 1"'
check "the refused set left the file byte-identical" cmp -s "$WORK/before" "$CONFIG"
check "the refused set made no .bak" test ! -e "$CONFIG.bak"

arvis config set llm.temperature warm
check "set refuses a value of the wrong type" eval 'rc_is 2 && err_has "\"warm\" is not a number" && cmp -s "$WORK/before" "$CONFIG"'

arvis config set llm.modle x
check "set refuses an unknown key and suggests the right one" eval 'rc_is 2 && err_has "did you mean llm.model?" && cmp -s "$WORK/before" "$CONFIG"'

arvis config set tts.fallback '["espeak-ng"]'
check "set reads arrays as JSON" eval 'rc_is 0 && out_has "tts.fallback = [\"espeak-ng\"]"'
check "the previous file is kept as .bak" cmp -s "$WORK/before" "$CONFIG.bak"

arvis config get server.api_token
check "a secret can be read on purpose" eval 'rc_is 0 && [ "$OUT" = "" ]'
arvis config set server.api_token hunter2
arvis config show
check "show hides secrets" eval 'rc_is 0 && out_has "server.api_token = \"********\"" && ! out_has hunter2'
arvis config show --json
check "show --json hides secrets too" eval '! out_has hunter2'

ARVIS_LLM_TEMPERATURE=0.9 "$TEST_ARVIS_BIN" config get llm.temperature >"$WORK/o" 2>&1
check "an environment variable overrides the file" eval '[ "$(cat "$WORK/o")" = "0.9" ]'
ARVIS_LLM_TEMPERATURE=0.9 arvis config show
check "show says where a value came from" eval 'out_has "llm.temperature = 0.9  # ARVIS_LLM_TEMPERATURE" && out_has "tts.fallback = [\"espeak-ng\"]  # config file"'
ARVIS_LLM_TEMPERATURE=0.9 arvis config set llm.temperature 0.4
check "set warns when a variable overrides what it wrote" eval 'rc_is 0 && err_has "ARVIS_LLM_TEMPERATURE is set in this environment"'

arvis --set llm.model=qwen2.5 config get llm.model
check "--set overrides for one run" eval 'rc_is 0 && [ "$OUT" = "qwen2.5" ]'
arvis --set llm.temperature=7 config get llm.model
check "a bad --set fails with exit 2 and says where it came from" eval 'rc_is 2 && err_has "(from --set)"'
ARVIS_LLM_TEMPERATURE=hot arvis config validate
check "a bad variable fails with exit 2 and names it" eval 'rc_is 2 && err_has "llm.temperature: \"hot\" is not a number (from ARVIS_LLM_TEMPERATURE)"'
ARVIS_LLM_MODLE=x arvis config validate
check "an unknown ARVIS_ variable is a warning, not a failure" eval 'rc_is 0 && err_has "ARVIS_LLM_MODLE is not a configuration key"'

arvis config unset llm.temperature
check "unset removes a key" eval 'rc_is 0 && out_has "its default applies"'
arvis config get llm.temperature
check "after unset the default applies" eval '[ "$OUT" = "0.7" ]'
arvis config unset llm.temperature
check "unset of a key that is not set is fine" eval 'rc_is 0 && out_has "nothing to do"'

# Bad files: one clear message, exit 2, and the file left alone.
bad_file() {
    desc=$1
    expect=$2
    fresh_home
    printf "$3" >"$CONFIG"
    cp "$CONFIG" "$WORK/bad"
    arvis config validate
    check "$desc: validate exits 2 and explains" eval 'rc_is 2 && err_has "$expect"'
    arvis config set llm.model x
    check "$desc: set refuses and leaves the file byte-identical" eval '[ "$RC" -ne 0 ] && cmp -s "$WORK/bad" "$CONFIG"'
}

bad_file "garbled JSON" "line 4, column 3: a comma before } is not allowed" '{\n  "llm": {\n    "model": "x",\n  }\n}\n'
bad_file "truncated JSON" "ends too early" '{"llm": {"model": '
bad_file "invalid UTF-8" "not valid UTF-8" '{"app": {"name": "\377"}}'
bad_file "wrong types and unknown keys" "expected a number, found string" '{"config_version": 1, "llm": {"temperature": "hot", "modle": 1}}'
bad_file "a duplicated key" "llm.model: the key appears twice" '{"config_version": 1, "llm": {"model": "a", "model": "b"}}'
bad_file "a config_version from the future" "newer than this Arvis understands" '{"config_version": 99}'
bad_file "an array instead of an object" "must hold a JSON object" '[]'

fresh_home
printf '{"config_version": 1, "llm": {"temperature": 3, "top_p": -1}, "tts": {"engine": "bark"}}' >"$CONFIG"
arvis config validate
check "every problem is listed, not just the first" eval 'rc_is 2 && err_has "llm.temperature: 3" && err_has "llm.top_p: -1" && err_has "tts.engine: \"bark\""'

fresh_home
mkdir "$CONFIG"
arvis config validate
check "a folder where the file should be is refused" eval 'rc_is 2 && err_has "it is a folder, not a file"'

fresh_home
head -c 2000000 /dev/zero | tr '\0' ' ' >"$CONFIG"
arvis config validate
check "a huge file is refused by its size" eval 'rc_is 2 && err_has "above the limit of 1048576 bytes"'

# Permission problems: as root, permissions do not bind, so these run as an unprivileged user.
as_user() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v setpriv >/dev/null 2>&1; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        return 127
    fi
}
fresh_home
printf '{"config_version": 1}\n' >"$CONFIG"
chmod 755 "$WORK" "$ARVIS_HOME"
chmod 555 "$ARVIS_HOME/config"
chmod 644 "$CONFIG"
cp "$CONFIG" "$WORK/ro"
run as_user "$TEST_ARVIS_BIN" config set llm.model x
if [ "$RC" -eq 127 ]; then
    skip "a read-only config folder is reported" "cannot drop root privileges here"
else
    check "a read-only config folder is reported with exit 1" eval 'rc_is 1 && err_has "Permission denied" && cmp -s "$WORK/ro" "$CONFIG"'
    chmod 700 "$ARVIS_HOME/config"
    chmod 600 "$CONFIG"
    run as_user "$TEST_ARVIS_BIN" config validate
    check "an unreadable config file is reported with exit 1" eval 'rc_is 1 && err_has "cannot read" && err_has "Permission denied"'
fi
chmod -R u+rwX "$ARVIS_HOME"

# Migration of an Arvis v1.5 file.
fresh_home
cp "$SRC/tests/data/v15-config.json" "$CONFIG"
arvis config validate
check "an old file still loads, with a warning to migrate it" eval 'rc_is 0 && err_has "arvis config migrate"'
arvis config migrate --dry-run
check "migrate --dry-run lists the changes and writes nothing" eval 'rc_is 0 && out_has "Would migrate" && out_has "llm.ollama_url is now llm.base_url" && out_has "Dry run" && cmp -s "$SRC/tests/data/v15-config.json" "$CONFIG"'
arvis config migrate
check "migrate rewrites the file and names what it could not carry over" eval 'rc_is 0 && out_has "warning  tts.default_engine: the sapi engine is not available" && out_has ".bak"'
check "migrate kept the original as .bak" cmp -s "$SRC/tests/data/v15-config.json" "$CONFIG.bak"
arvis config validate "$CONFIG"
check "the migrated file validates without warnings" eval 'rc_is 0 && [ -z "$ERR" ]'
arvis config migrate
check "migrating again does nothing" eval 'rc_is 0 && out_has "already at config_version 1"'

EXAMPLE="$SRC/../shared/reference/arvis-v1.5-config.example.json"
if [ -f "$EXAMPLE" ]; then
    fresh_home
    cp "$EXAMPLE" "$WORK/example.json"
    arvis config migrate "$WORK/example.json"
    check "the original v1.5 example migrates" eval 'rc_is 0 && cmp -s "$EXAMPLE" "$WORK/example.json.bak"'
    arvis config validate "$WORK/example.json"
    check "the migrated example validates" eval 'rc_is 0'
else
    skip "the original v1.5 example migrates" "the shared reference is not beside this checkout"
fi

arvis config migrate "$WORK/missing.json"
check "migrating a missing FILE exits 2" eval 'rc_is 2 && err_has "missing.json"'

fresh_home
arvis --config "$WORK/custom.json" config set app.name Jarvis
check "--config FILE works on that file" eval 'rc_is 0 && grep -q Jarvis "$WORK/custom.json" && test ! -e "$CONFIG"'
arvis --config "$WORK/custom.json" config get app.name
check "--config FILE is read back" eval '[ "$OUT" = "Jarvis" ]'
arvis --config "$WORK/nothing.json" config get app.name
check "--config with a missing FILE exits 2" eval 'rc_is 2 && err_has "nothing.json"'

arvis config schema
printf '%s\n' "$OUT" >"$WORK/schema.json"
check "config schema prints the compiled-in schema" cmp -s "$SRC/data/config.schema.json" "$WORK/schema.json"
arvis config reference
printf '%s\n' "$OUT" >"$WORK/reference.md"
check "config reference matches the committed docs/CONFIG_REFERENCE.md" cmp -s "$SRC/docs/CONFIG_REFERENCE.md" "$WORK/reference.md"

# A config file that is a symbolic link (a dotfile manager's) stays one; the file it leads to
# takes the change, with the .bak beside it.
fresh_home
printf '{"config_version": 1}\n' >"$WORK/real.json"
ln -s "$WORK/real.json" "$CONFIG"
arvis config set llm.model linked
check "set through a symlinked config keeps the link and changes its target" eval 'rc_is 0 && test -L "$CONFIG" && grep -q linked "$WORK/real.json" && test -f "$WORK/real.json.bak"'
printf '{"llm": {"ollama_url": "http://h:1"}}' >"$WORK/real.json"
arvis config migrate
check "migrate through a symlinked config names the .bak beside the real file" eval 'rc_is 0 && test -L "$CONFIG" && out_has "kept as $(cd "$WORK" && pwd -P)/real.json.bak" && grep -q "h:1" "$WORK/real.json.bak"'

# Indented, this valid 0.9 MB file would pass the size Arvis reads: no change may write it.
fresh_home
awk 'BEGIN { printf "{\"config_version\":1,\"legacy\":{"; for (i = 0; i < 55000; i++) printf "%s\"k%d\":{\"a\":0}", (i ? "," : ""), i; printf "}}" }' >"$CONFIG"
cp "$CONFIG" "$WORK/big"
arvis config set llm.model foo
check "set refuses a file too big to read back and writes nothing" eval 'rc_is 2 && err_has "nothing was written" && cmp -s "$WORK/big" "$CONFIG" && test ! -e "$CONFIG.bak"'
arvis config validate
check "the refused file still loads" eval 'rc_is 0'

fresh_home
printf '{"config_version": 1, "": 1}' >"$CONFIG"
arvis --set llm.model=x config validate
check "an odd key in the file is not blamed on --set" eval 'rc_is 2 && err_has "[\"\"]: unknown key (in " && ! err_has "from --set"'
printf '{"config_version": 1, "legacy": {"s": "a\\u0000b"}}' >"$CONFIG"
arvis config validate
check "a \\u0000 escape is refused, not cut short" eval 'rc_is 2 && err_has "column 42: \\u0000 (a NUL character) is not allowed"'

finish
