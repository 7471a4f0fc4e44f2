# SPDX-License-Identifier: Apache-2.0
# Benchmarks: each bench/bench_*.c is a host program linked against the
# plain (unsanitized, -O2) core; bench/run.sh runs them and every
# bench/*.sh script, and collects their "BENCH name value unit" lines.

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

$(BUILD)/bench/%: $(BUILD)/plain/bench/%.o $(BUILD)/plain/tests/common/.stamp $(BUILD)/libcore-plain.a
	@mkdir -p $(dir $@)
	$(HOST_CC) -o $@ $< $(patsubst %.c,$(BUILD)/plain/%.o,$(TESTCOMMON_SRC)) \
		$(BUILD)/libcore-plain.a $(HOST_LIBS)

$(BUILD)/plain/tests/common/.stamp: $(patsubst %.c,$(BUILD)/plain/%.o,$(TESTCOMMON_SRC))
	@mkdir -p $(dir $@); touch $@

bench: deps $(BENCH_BIN) $(BENCH_DEPS)
	@BUILD=$(BUILD) sh bench/run.sh
