# SPDX-License-Identifier: Apache-2.0
# Bare-metal aarch64 test guests: guests/NAME.c -> $(BUILD)/guests/NAME.bin,
# each linked with guests/common (entry, DT reader, UART, hypercalls).
# They see only hv/public of the hypervisor's tree: the guest ABI header.
# Position independent (PC-relative only), -mstrict-align: they run with
# the MMU off.

GUEST_CC     := $(CROSS)gcc
GUEST_CFLAGS := -std=c11 -O2 -g $(WARN) -ffreestanding -nostdlib -mgeneral-regs-only \
	-fpie -mstrict-align -fno-stack-protector -fno-builtin -fno-tree-loop-distribute-patterns \
	-Ihv/public
GUEST_NAMES  := $(patsubst guests/%.c,%,$(wildcard guests/*.c))
GUEST_BINS   := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))
GUEST_COMMON := $(BUILD)/guests/common/start.o $(BUILD)/guests/common/lib.o

$(BUILD)/guests/%.o: guests/%.c guests/common/guest.h hv/public/bulkhead_abi.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guests/common/start.o: guests/common/start.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guests/%.o $(GUEST_COMMON) guests/common/guest.lds
	$(GUEST_CC) -nostdlib -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,guests/common/guest.lds \
		-o $@ $< $(GUEST_COMMON) -lgcc

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(CROSS)objcopy -O binary $< $@

.PRECIOUS: $(BUILD)/guests/%.elf $(BUILD)/guests/%.o
# Phony: the directory guests/ would otherwise count as the target, up to date.
.PHONY: guests
guests: $(GUEST_BINS)
HV_IMAGES += $(GUEST_BINS)
