/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of every test guest: a raw binary, loaded at the base of its RAM
 * at whatever address that is (position independent: PC-relative
 * addressing only). Entered at EL1, MMU off, x0 = device tree.
 * An arm64 Image header makes it a kernel Xen also boots (bench/boot.sh).
 * The first instruction reads the counter: "time from reset to the
 * guest's first instruction" for bench/boot.sh.
 */
	.section .text.start, "ax"
	.global _start
_start:
	/* arm64 Image header: Xen accepts only kernels that carry one. */
	mrs	x1, cntpct_el0		/* code0: the very first instruction */
	b	entry			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_end		/* image_size, linked at 0: bss included */
	.quad	0xa			/* little-endian, 4 KiB pages, anywhere */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0
entry:
	mov	x19, x0
	mov	x20, x1
	adrp	x2, __bss_start
	add	x2, x2, :lo12:__bss_start
	adrp	x3, __bss_end
	add	x3, x3, :lo12:__bss_end
1:	cmp	x2, x3
	b.hs	2f
	str	xzr, [x2], #8
	b	1b
2:	adrp	x2, __stack_top
	add	x2, x2, :lo12:__stack_top
	mov	sp, x2
	adr	x2, guest_vectors
	msr	vbar_el1, x2
	isb
	mov	x0, x19
	mov	x1, x20
	bl	guest_main
	bl	psci_system_off
3:	wfi
	b	3b

/* Secondary vCPUs (PSCI CPU_ON): x0 = the stack top chosen by vCPU 0. */
	.global guest_secondary_entry
guest_secondary_entry:
	mov	sp, x0
	adr	x2, guest_vectors
	msr	vbar_el1, x2
	isb
	bl	secondary_main
4:	wfe
	b	4b

/* Exceptions at EL1 (e.g. an injected undefined instruction). */
.macro vec
	.balign	0x80
	b	vec_common
.endm
	.balign	0x800
guest_vectors:
	.rept	16
	vec
	.endr
vec_common:
	/* Save what the C handler may clobber (caller-saved registers). */
	sub	sp, sp, #176
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	bl	guest_exception
	/* The handler returns the address to continue at. */
	msr	elr_el1, x0
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #176
	eret
