# SPDX-License-Identifier: Apache-2.0
#
# Bulkhead build. `make check` runs every test, `make run` boots the demo.
#
# hv/core is compiled three ways: hosted with sanitizers (unit tests),
# hosted plain (host tools, benchmarks) and with clang for libFuzzer;
# hv/arch/arm64/build.mk adds the freestanding aarch64 build.

BUILD      ?= build
HOST_CC    ?= gcc
FUZZ_CC    ?= clang
CROSS      ?= aarch64-linux-gnu-
FUZZ_SECONDS ?= 20

WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
HOST_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 $(WARN) -Ihv -Ihv/host -Itests
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
PLAIN_FLAGS := -O2

CORE_SRC   := $(wildcard hv/core/*.c)
HOSTARCH_SRC := $(wildcard hv/host/*.c)
TESTCOMMON_SRC := $(wildcard tests/common/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

SAN_OBJ    := $(patsubst %.c,$(BUILD)/san/%.o,$(CORE_SRC) $(HOSTARCH_SRC) $(TESTCOMMON_SRC))
PLAIN_OBJ  := $(patsubst %.c,$(BUILD)/plain/%.o,$(CORE_SRC) $(HOSTARCH_SRC))
FUZZ_OBJ   := $(patsubst %.c,$(BUILD)/fuzzobj/%.o,$(CORE_SRC) $(HOSTARCH_SRC) $(TESTCOMMON_SRC))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

HOST_LIBS  := -lfdt -lm

.PHONY: all deps host tests fuzzers check lint format run bench clean
.DEFAULT_GOAL := all
# Keep object files of pattern-rule chains: without this make deletes them
# as intermediates and every run recompiles the tests.
.SECONDARY:

all: host

deps:
	@sh scripts/install-deps.sh $(BUILD)

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/plain/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(PLAIN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HOST_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

$(BUILD)/libcore-san.a: $(SAN_OBJ)
	@rm -f $@; ar rcs $@ $^

$(BUILD)/libcore-plain.a: $(PLAIN_OBJ)
	@rm -f $@; ar rcs $@ $^

$(BUILD)/libcore-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@; ar rcs $@ $^

$(BUILD)/tests/%: $(BUILD)/san/tests/unit/%.o $(BUILD)/libcore-san.a
	@mkdir -p $(dir $@)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $< $(BUILD)/libcore-san.a $(HOST_LIBS)

$(BUILD)/fuzz/%: $(BUILD)/fuzzobj/tests/fuzz/%.o $(BUILD)/libcore-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/libcore-fuzz.a $(HOST_LIBS)

tests: $(UNIT_BIN)
fuzzers: $(FUZZ_BIN)

# Build fragments of the other parts of the tree (host tools, the arm64
# hypervisor, guests, benchmarks). Each adds its targets to these lists.
HOST_TOOLS :=
HV_IMAGES  :=
BENCH_DEPS :=
include $(sort $(wildcard tools/build.mk hv/arch/arm64/build.mk guests/build.mk bench/build.mk))

host: $(BUILD)/libcore-plain.a $(HOST_TOOLS)

LINT_C := $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint:
	@echo "lint: clang-format"
	@clang-format --dry-run -Werror $(LINT_C)
	@echo "lint: cppcheck hv/core"
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--inline-suppr --suppress=missingIncludeSystem -Ihv hv/core

format:
	@clang-format -i $(LINT_C)

check: deps
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory -j2 tests fuzzers $(HOST_TOOLS) $(HV_IMAGES)
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh scripts/run-tests.sh

clean:
	rm -rf $(BUILD)/san $(BUILD)/plain $(BUILD)/fuzzobj $(BUILD)/tests $(BUILD)/fuzz \
		$(BUILD)/*.a $(BUILD)/bulkhead*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
