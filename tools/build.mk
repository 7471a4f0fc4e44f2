# SPDX-License-Identifier: Apache-2.0
# The host tool: build/bulkhead (check and map), linked with the plain
# core. build/bulkhead-san is the same with sanitizers, for the tests.

BULKHEAD_SRC := $(wildcard tools/*.c)

$(BUILD)/bulkhead: $(patsubst %.c,$(BUILD)/plain/%.o,$(BULKHEAD_SRC)) $(BUILD)/libcore-plain.a
	$(HOST_CC) -o $@ $^ $(HOST_LIBS)

$(BUILD)/bulkhead-san: $(patsubst %.c,$(BUILD)/san/%.o,$(BULKHEAD_SRC)) $(BUILD)/libcore-san.a
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ $(HOST_LIBS)

HOST_TOOLS += $(BUILD)/bulkhead $(BUILD)/bulkhead-san
