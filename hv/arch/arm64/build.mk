# SPDX-License-Identifier: Apache-2.0
# The aarch64 hypervisor image: hv/arch/arm64, hv/lib and hv/core compiled
# freestanding, linked with the arm64 libfdt.a (scripts/install-deps.sh
# extracts it into $(BUILD)/arm64-libfdt) at 0x40200000 (hv.lds).

ARM64_CC      := $(CROSS)gcc
ARM64_OBJCOPY := $(CROSS)objcopy
ARM64_FDT     := $(BUILD)/arm64-libfdt/usr
BULKHEAD_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

# -mstrict-align: the first C code runs with the MMU off, where unaligned
# accesses fault. hv/lib/include comes first: string.h, stdlib.h and the
# libfdt_env.h of the freestanding build.
ARM64_CFLAGS := -std=c11 -O2 -g $(WARN) -ffreestanding -nostdlib -mgeneral-regs-only \
	-fno-pic -fno-pie -mstrict-align -fno-stack-protector -fno-common \
	-Ihv/lib/include -Ihv -Ihv/arch/arm64 -I$(ARM64_FDT)/include \
	-DBULKHEAD_VERSION='"$(BULKHEAD_VERSION)"'
# The string functions must not be turned back into calls to themselves.
ARM64_LIB_CFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns -fno-strict-aliasing

ARM64_SRC := $(wildcard hv/arch/arm64/*.c hv/arch/arm64/*.S hv/lib/*.c) $(CORE_SRC)
ARM64_OBJ := $(patsubst %,$(BUILD)/arm64/%.o,$(ARM64_SRC))

$(BUILD)/arm64/hv/lib/%.c.o: hv/lib/%.c
	@mkdir -p $(dir $@)
	$(ARM64_CC) $(ARM64_CFLAGS) $(ARM64_LIB_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/arm64/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(ARM64_CC) $(ARM64_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/arm64/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(ARM64_CC) $(ARM64_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bulkhead.elf: $(ARM64_OBJ) hv/arch/arm64/hv.lds
	$(ARM64_CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,hv/arch/arm64/hv.lds \
		-o $@ $(ARM64_OBJ) $(ARM64_FDT)/lib/aarch64-linux-gnu/libfdt.a -lgcc

$(BUILD)/bulkhead.bin: $(BUILD)/bulkhead.elf
	$(ARM64_OBJCOPY) -O binary $< $@

HV_IMAGES += $(BUILD)/bulkhead.bin

# `make run`: two Linux domains (boards/linux.dts, tests/qemu/demo-linux.sh);
# `make run-baremetal`: the demo board (boards/demo.dts), two bare-metal domains.
.PHONY: run-baremetal
run: deps $(BUILD)/bulkhead.bin
	@BUILD=$(BUILD) sh tests/qemu/demo-linux.sh
run-baremetal: deps $(BUILD)/bulkhead.bin $(GUEST_BINS)
	@BUILD=$(BUILD) sh tests/qemu/demo.sh
