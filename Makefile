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

# Until the voice pipeline lands, the main job validates and prints the effective configuration.
run: build
	@$(ARVIS) config validate
	@$(ARVIS) tts check
	@$(ARVIS) say --stats --out $(BUILD)/hello.wav "Hello, I am Arvis. I speak while I think."
	@echo "spoken into $(BUILD)/hello.wav"

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
