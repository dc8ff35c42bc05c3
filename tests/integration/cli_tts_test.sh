#!/bin/sh
# `arvis say`, `arvis tts` and `arvis ask --speak` with the real engines, writing real WAV files
# and raw PCM, against the scripted model server (started here on loopback, stopped at the end).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/llm_server.sh"
# No sound server is reachable from the tests unless a test starts one.
export PULSE_SERVER="unix:$WORK/no-pulse-here"

# wav_ms FILE: the length of a 16-bit mono WAV file in milliseconds (0 when it is not one).
wav_ms() {
    [ -f "$1" ] && [ "$(head -c 4 "$1")" = "RIFF" ] || { echo 0; return; }
    rate=$(od -An -t u4 -j 24 -N 4 "$1" | tr -d ' ')
    size=$(stat -c %s "$1")
    echo $(((size - 44) * 1000 / 2 / rate))
}

wav_rate() { od -An -t u4 -j 24 -N 4 "$1" | tr -d ' '; }

fresh_home

arvis tts engines
check "tts engines lists every engine and marks the configured one" eval 'rc_is 0 && out_has "* flite" && out_has "  espeak-ng" && out_has "  null"'
arvis tts voices
check "tts voices lists flite's voices" eval 'rc_is 0 && out_has "slt" && out_has "kal16" && out_has "rms"'
arvis tts voices espeak-ng
check "tts voices espeak-ng includes Russian" eval 'rc_is 0 && printf "%s\n" "$OUT" | grep -q "^ru  "'
arvis tts voices festival
check "tts voices of an unknown engine names those there are" eval 'rc_is 2 && err_has "no speech engine called \"festival\"" && err_has "flite, espeak-ng, null"'
arvis tts check
check "tts check speaks a test phrase with each engine" eval 'rc_is 0 && out_has "flite      ok: voice slt, 16000 Hz" && out_has "espeak-ng  ok" && out_has "speech: flite is ready"'
arvis --set tts.engine=espeak-ng --set tts.espeak-ng.voice=zz-none tts check
check "tts check says degraded when only a fallback works" eval 'rc_is 1 && out_has "espeak-ng  FAILED" && out_has "zz-none" && out_has "degraded"'
arvis tts
check "tts without a subcommand is a usage error" eval 'rc_is 2 && err_has "engines, voices or check"'

arvis say --out "$WORK/hello.wav" "Hello, I am Arvis. How can I help?"
check "say --out writes a WAV of plausible length" eval 'rc_is 0 && [ "$(wav_ms "$WORK/hello.wav")" -gt 1200 ] && [ "$(wav_ms "$WORK/hello.wav")" -lt 6000 ] && [ "$(wav_rate "$WORK/hello.wav")" -eq 16000 ]'
arvis --set audio.output_sample_rate=48000 say --out "$WORK/48k.wav" "Hello, I am Arvis. How can I help?"
check "audio.output_sample_rate resamples to the rate asked for" eval 'rc_is 0 && [ "$(wav_rate "$WORK/48k.wav")" -eq 48000 ] && [ $(( $(wav_ms "$WORK/48k.wav") - $(wav_ms "$WORK/hello.wav") )) -le 5 ] && [ $(( $(wav_ms "$WORK/hello.wav") - $(wav_ms "$WORK/48k.wav") )) -le 5 ]'
arvis say --engine flite --voice kal --out "$WORK/kal.wav" "Good morning."
check "say --voice kal speaks at 8 kHz" eval 'rc_is 0 && [ "$(wav_rate "$WORK/kal.wav")" -eq 8000 ]'
arvis say --engine espeak-ng --voice ru --out "$WORK/ru.wav" "Привет, я Арвис."
check "say speaks Russian with espeak-ng" eval 'rc_is 0 && [ "$(wav_ms "$WORK/ru.wav")" -gt 800 ] && [ "$(wav_rate "$WORK/ru.wav")" -eq 22050 ]'

"$TEST_ARVIS_BIN" say --out - "Raw samples." >"$WORK/raw.pcm" 2>"$WORK/err"
RC=$?
check "say --out - writes raw 16-bit PCM on stdout" eval 'rc_is 0 && [ $(( $(stat -c %s "$WORK/raw.pcm") % 2 )) -eq 0 ] && [ "$(stat -c %s "$WORK/raw.pcm")" -gt 16000 ]'
printf 'One sentence. Two sentences.\nThree.' | "$TEST_ARVIS_BIN" say --engine null --out "$WORK/stdin.wav" - >"$WORK/o" 2>&1
RC=$?
check "say - reads the text from stdin" eval 'rc_is 0 && [ "$(wav_ms "$WORK/stdin.wav")" -ge 2000 ]'

arvis say ""
check "say with empty text says there is nothing to say" eval 'rc_is 2 && err_has "nothing to say"'
arvis say "   "
check "say with only spaces says there is nothing to say" eval 'rc_is 2 && err_has "nothing to say"'
arvis say
check "say without text is a usage error" eval 'rc_is 2 && err_has "what should be said?"'
arvis say --engine festival --out "$WORK/x.wav" hi
check "say with an unknown engine lists the engines" eval 'rc_is 2 && err_has "flite, espeak-ng, null" && [ ! -e "$WORK/x.wav" ]'
arvis say --voice hal9000 --engine flite --out "$WORK/x.wav" hi
check "say with an unknown voice lists the voices" eval 'rc_is 2 && err_has "slt, kal, kal16, awb, rms"'
arvis say --out "$WORK/x.wav" "$(printf 'bad \377 byte')"
check "say refuses text that is not UTF-8" eval 'rc_is 2 && err_has "not valid UTF-8" && [ ! -e "$WORK/x.wav" ]'
echo keep >"$WORK/old.wav"
arvis say --engine flite --out "$WORK/old.wav" "Привет, как дела?"
check "text the voice cannot read fails, and the old file is left as it was" eval 'rc_is 2 && err_has "Cyrillic" && err_has "espeak-ng" && [ "$(cat "$WORK/old.wav")" = keep ]'
arvis say --out "$WORK/no/such/dir/x.wav" hi
check "an unwritable output path is one clear error" eval '[ $RC -ne 0 ] && err_has "$WORK/no/such/dir/x.wav" && err_lines 1'
arvis --set audio.volume=0 say "Muted."
check "with audio.volume 0 say speaks to nothing and needs no sound server" eval 'rc_is 0'
arvis say --engine festival hi
check "an unknown engine is bad input even without sound" eval 'rc_is 2 && err_has "no speech engine called"'
arvis say --voice hal9000 --out "$WORK/x.wav" hi
check "an unknown voice of the configured engine is not quietly replaced by a fallback" eval 'rc_is 2 && err_has "hal9000" && [ ! -e "$WORK/x.wav" ]'
arvis say "Hello"
check "say without sound and without --out says what to do" eval 'rc_is 3 && err_has "no PulseAudio server" && err_has "--out FILE.wav"'

# Ctrl-C while say waits for more input on stdin stops it at once.
mkfifo "$WORK/in"
exec 4<>"$WORK/in"
"$TEST_ARVIS_BIN" say --engine null --out "$WORK/in.wav" - <"$WORK/in" >"$WORK/o" 2>"$WORK/e" &
SAY=$!
printf 'Hello there. And' >&4
# Its signals are blocked once it speaks: the first sentence's file is being written.
i=0
while ! ls "$WORK"/in.wav.tmp.* >/dev/null 2>&1 && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
kill -TERM "$SAY"
wait "$SAY"
RC=$?
exec 4>&-
ERR=$(cat "$WORK/e")
check "a stop while say waits for input ends it and writes no file" eval 'rc_is 1 && err_has "stopped" && [ ! -e "$WORK/in.wav" ]'

# A megabyte of text on stdin is spoken sentence by sentence, in bounded memory.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "Sentence number %d is here, and then it ends. ", i }' >"$WORK/big.txt"
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=8" python3 - "$TEST_ARVIS_BIN" "$WORK/big.txt" >"$WORK/o" 2>&1 <<'EOF'
import resource, subprocess, sys
with open(sys.argv[2], "rb") as text:
    p = subprocess.run([sys.argv[1], "--set", "tts.null.chars_per_second=100", "--set",
                        "tts.null.sample_rate=8000", "say", "--engine", "null", "--out", "-",
                        "-"], stdin=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
audio = len(p.stdout)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(p.returncode, audio, peak, p.stderr.decode(errors="replace").replace("\n", " "))
EOF
read -r BIG_RC BIG_BYTES BIG_MB <"$WORK/o"
check "1 MB of text on stdin is all spoken in bounded memory" eval '[ "$BIG_RC" = 0 ] && [ "$BIG_BYTES" -gt 150000000 ] && [ "$BIG_MB" -lt 120 ]'

serve '{"models":["gemma2:2b"],"replies":[{"text":"The answer is forty two. That is all I know."}]}'
arvis ask --speak --out "$WORK/answer.wav" "What is the answer?"
check "ask --speak --out writes the spoken answer" eval 'rc_is 0 && out_has "The answer is forty two." && [ "$(wav_ms "$WORK/answer.wav")" -gt 1500 ]'
arvis ask --json --out "$WORK/answer2.wav" "Again?"
check "ask --json says what was spoken" eval 'rc_is 0 && out_has "\"spoken\":\"The answer is forty two. That is all I know.\"" && out_has "\"first_audio_ms\":"'
arvis ask --speak "No sound?"
check "ask --speak without sound says what to do" eval 'rc_is 3 && err_has "no PulseAudio server"'
arvis ask --json --out - hi
check "ask --json --out - is refused" eval 'rc_is 2 && err_has "standard output"'
echo keep >"$WORK/keep.wav"
arvis --set audio.output_sample_rate=16000 --set llm.base_url=http://127.0.0.1:9 ask --out "$WORK/keep.wav" "Anyone there?"
check "ask --out that fails before speaking leaves an earlier file as it was" eval 'rc_is 3 && [ "$(cat "$WORK/keep.wav")" = keep ]'

# Stopped while speaking: the history keeps only what was said. Raw PCM goes into a pipe: the
# test reads the first 60000 bytes (sentences 1 to 4 of 14400 bytes each, at 100 characters a
# second and 16 kHz), then the pipe fills and playback waits, and the signal comes. At most 64 KiB
# more fit in the pipe, so sentence 12 cannot have been played.
fresh_home
long=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do long="$long Sentence $i of the answer goes on for a while."; done
serve "{\"models\":[\"gemma2:2b\"],\"replies\":[{\"text\":\"${long# }\"}]}"
mkfifo "$WORK/pcm"
"$TEST_ARVIS_BIN" --set tts.engine=null --set tts.null.chars_per_second=100 ask --speak --out - "Talk a lot." 2>"$WORK/ask.err" >"$WORK/pcm" &
ASK=$!
exec 3<"$WORK/pcm"
dd bs=1000 count=60 iflag=fullblock <&3 >/dev/null 2>&1
kill -TERM "$ASK"
wait "$ASK"
RC=$?
exec 3<&-
OUT=""
ERR=$(cat "$WORK/ask.err")
check "a stop while speaking exits 1 and says the history keeps what was spoken" eval 'rc_is 1 && err_has "the history keeps what was spoken"'
arvis history show
check "after a stop while speaking the history holds only what was said" eval 'out_has "(cut)" && out_has "Sentence 4 of the answer" && ! out_has "Sentence 12 of"'

# A real PulseAudio server with a null sink, started here: say plays through it.
PULSE_DIR="$WORK/pulse"
mkdir -p "$PULSE_DIR/home" "$PULSE_DIR/run" "$PULSE_DIR/config"
HOME="$PULSE_DIR/home" XDG_RUNTIME_DIR="$PULSE_DIR/run" XDG_CONFIG_HOME="$PULSE_DIR/config" \
    pulseaudio -n --daemonize=no --exit-idle-time=-1 --disable-shm=yes --use-pid-file=no \
    --realtime=no --high-priority=no --log-target=stderr -L module-null-sink \
    -L "module-native-protocol-unix socket=$PULSE_DIR/native auth-anonymous=1" \
    >"$PULSE_DIR/log" 2>&1 &
PULSE_PID=$!
i=0
while [ ! -S "$PULSE_DIR/native" ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done
PULSE_SERVER="unix:$PULSE_DIR/native" arvis say --stats "Hello from Arvis."
check "say plays through a running PulseAudio server" eval 'rc_is 0 && err_has "sentences:          1 queued, 1 spoken"'
PULSE_SERVER="unix:$PULSE_DIR/native" arvis --set audio.output_device=no_such_device say "Hello."
check "a playback device PulseAudio does not have is named, not replaced by silence" eval '[ $RC -ne 0 ] && err_has "no_such_device"'
kill "$PULSE_PID" 2>/dev/null
wait "$PULSE_PID" 2>/dev/null
export PULSE_SERVER="unix:$WORK/no-pulse-here"

stop_server
finish
