# TAP helpers for the integration tests: run the real arvis binary in a fresh ARVIS_HOME and
# check its exit code, output and files. Sourced by the *_test.sh scripts.

: "${TEST_ARVIS_BIN:?TEST_ARVIS_BIN must name the arvis binary}"
TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/arvis-it-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export ARVIS_HOME="$WORK/home"
export XDG_CONFIG_HOME="" XDG_DATA_HOME="" XDG_STATE_HOME=""
CONFIG="$ARVIS_HOME/config/config.json"
# Variables of the developer's shell must not leak into the tests.
for v in $(env | sed -n 's/^\(ARVIS_[A-Z0-9_]*\)=.*/\1/p'); do
    case "$v" in ARVIS_HOME) ;; *) unset "$v" ;; esac
done

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR and the exit code in $RC.
run() {
    "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    OUT=$(cat "$WORK/out")
    ERR=$(cat "$WORK/err")
}

arvis() { run "$TEST_ARVIS_BIN" "$@"; }

# check DESCRIPTION TEST...: one TAP line; on failure the last command's results as comments.
check() {
    desc=$1
    shift
    TAP_N=$((TAP_N + 1))
    if "$@"; then
        echo "ok $TAP_N - $desc"
    else
        TAP_FAILED=$((TAP_FAILED + 1))
        echo "not ok $TAP_N - $desc"
        echo "# exit code: $RC"
        printf '%s\n' "$OUT" | sed 's/^/# stdout: /' | head -20
        printf '%s\n' "$ERR" | sed 's/^/# stderr: /' | head -20
    fi
}

skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1 # SKIP $2"
}

rc_is() { [ "$RC" -eq "$1" ]; }
out_has() { printf '%s' "$OUT" | grep -qF -- "$1"; }
err_has() { printf '%s' "$ERR" | grep -qF -- "$1"; }
err_lines() { [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq "$1" ]; }

fresh_home() {
    rm -rf "$ARVIS_HOME"
    mkdir -p "$ARVIS_HOME/config"
}

finish() {
    echo "1..$TAP_N"
    [ "$TAP_FAILED" -eq 0 ]
}
