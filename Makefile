# The front door. `make run` is the main job and `make check` runs every test; both install
# missing Debian packages first (scripts/install-deps). meson + ninja do the real work.

BUILD ?= build
ARVIS := $(BUILD)/src/arvis

.PHONY: all deps build run check coverage bench fuzz format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized >/dev/null
	@ninja -C $(BUILD) >/dev/null

# The main job: one whole spoken turn on a recording made at build time (flite says "What is
# twelve times seven?"): transcript, answer, timings, and the spoken reply in a WAV file. An
# offline skill answers it, so no model server is needed.
run: build
	@$(ARVIS) voice --no-history --stats --in $(BUILD)/src/request.wav --out $(BUILD)/reply.wav
	@echo "the spoken reply is in $(BUILD)/reply.wav"

check: deps
	@scripts/check

coverage: deps
	@scripts/check --coverage-only

bench: build
	@scripts/bench $(BUILD)

fuzz: deps
	@scripts/fuzz

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-* 
