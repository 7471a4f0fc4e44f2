/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry points of bulkhead.bin: the arm64 Image header, the boot CPU's
 * entry (EL2, MMU off, x0 = host DTB), the secondary CPUs' entry (from
 * PSCI CPU_ON, x0 = logical CPU index), and the EL2 exception vectors.
 *
 * The image is linked at 0x40200000 (position dependent): where QEMU virt
 * places an Image with text_offset 0. A mismatch is detected and the CPU
 * stops with a message on the virt UART.
 */
#define FRAME_SIZE 272
#define CPU_MAX    8	  /* PLAN_MAX_CPUS */
#define STACK_SHIFT 14	  /* 16 KiB per CPU, see cpu.c */

/* sp = top of the stack of CPU \reg (cpu_stacks is in .bss). */
.macro set_stack reg
	ldr	x1, =cpu_stacks
	add	x2, \reg, #1
	add	x1, x1, x2, lsl #STACK_SHIFT
	mov	sp, x1
.endm

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_image_size		/* image_size, bss included */
	.quad	0x2			/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

primary_entry:
	mov	x19, x0
	msr	daifset, #0xf
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	bad_el
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	bad_load
	/*
	 * Zero .bss: page aligned and sized by the linker script, 256 bytes
	 * a turn (the MMU is off, so no DC ZVA: memory is Device here).
	 */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1]
	stp	xzr, xzr, [x1, #16]
	stp	xzr, xzr, [x1, #32]
	stp	xzr, xzr, [x1, #48]
	stp	xzr, xzr, [x1, #64]
	stp	xzr, xzr, [x1, #80]
	stp	xzr, xzr, [x1, #96]
	stp	xzr, xzr, [x1, #112]
	stp	xzr, xzr, [x1, #128]
	stp	xzr, xzr, [x1, #144]
	stp	xzr, xzr, [x1, #160]
	stp	xzr, xzr, [x1, #176]
	stp	xzr, xzr, [x1, #192]
	stp	xzr, xzr, [x1, #208]
	stp	xzr, xzr, [x1, #224]
	stp	xzr, xzr, [x1, #240]
	add	x1, x1, #256
	b	1b
2:	mov	x0, #0
	set_stack x0
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	mov	x0, x19
	bl	boot_primary		/* never returns */
	b	halt

	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	cmp	x0, #CPU_MAX
	b.hs	halt
	set_stack x0
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	mov	x0, x19
	bl	boot_secondary		/* never returns */
	b	halt

bad_el:
	adr	x0, msg_bad_el
	b	early_puts
bad_load:
	adr	x0, msg_bad_load
early_puts:				/* PL011 of QEMU virt, MMU off */
	mov	x1, #0x09000000
3:	ldrb	w2, [x0], #1
	cbz	w2, halt
	strb	w2, [x1]
	b	3b
halt:
	wfe
	b	halt

msg_bad_el:
	.asciz	"bulkhead: not entered at EL2 (need virtualization=on)\n"
msg_bad_load:
	.asciz	"bulkhead: loaded at the wrong address (linked at 0x40200000)\n"
	.balign 4

/* call_on_frame(frame, fn): sp = frame (fresh stack), fn(frame); no return. */
	.global call_on_frame
call_on_frame:
	mov	sp, x0
	blr	x1
	b	halt

/*
 * fp_reset(): zero the FP/SIMD registers, FPCR and FPSR before a vCPU
 * (re)starts, so that nothing of a previous life survives in them. The
 * hypervisor's C code never touches them (-mgeneral-regs-only).
 */
	.arch_extension fp
	.arch_extension simd
	.global fp_reset
fp_reset:
	movi	v0.2d, #0
	movi	v1.2d, #0
	movi	v2.2d, #0
	movi	v3.2d, #0
	movi	v4.2d, #0
	movi	v5.2d, #0
	movi	v6.2d, #0
	movi	v7.2d, #0
	movi	v8.2d, #0
	movi	v9.2d, #0
	movi	v10.2d, #0
	movi	v11.2d, #0
	movi	v12.2d, #0
	movi	v13.2d, #0
	movi	v14.2d, #0
	movi	v15.2d, #0
	movi	v16.2d, #0
	movi	v17.2d, #0
	movi	v18.2d, #0
	movi	v19.2d, #0
	movi	v20.2d, #0
	movi	v21.2d, #0
	movi	v22.2d, #0
	movi	v23.2d, #0
	movi	v24.2d, #0
	movi	v25.2d, #0
	movi	v26.2d, #0
	movi	v27.2d, #0
	movi	v28.2d, #0
	movi	v29.2d, #0
	movi	v30.2d, #0
	movi	v31.2d, #0
	msr	fpcr, xzr
	msr	fpsr, xzr
	ret

/* guest_resume(frame): sp = frame (top of this CPU's stack), restore, eret. */
	.global guest_resume
guest_resume:
	mov	sp, x0
	b	restore_frame

.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x30, x0, [sp, #240]
	str	x1, [sp, #256]
	mov	x0, sp
.endm

.macro vector target
	.balign	0x80
	b	\target
.endm

	.balign	0x800
	.global el2_vectors
el2_vectors:
	vector	el2_bad_sync		/* current EL, SP0 */
	vector	el2_bad_other
	vector	el2_bad_other
	vector	el2_bad_other
	vector	el2_bad_sync		/* current EL, SPx */
	vector	el2_bad_other
	vector	el2_bad_other
	vector	el2_bad_other
	vector	guest_sync		/* lower EL, AArch64 */
	vector	guest_irq
	vector	guest_irq
	vector	guest_serror
	vector	el2_bad_other		/* lower EL, AArch32: never enabled */
	vector	el2_bad_other
	vector	el2_bad_other
	vector	el2_bad_other

el2_bad_sync:
	save_frame
	bl	trap_hyp_sync
	b	halt
el2_bad_other:
	save_frame
	bl	trap_hyp_other
	b	halt

guest_sync:
	save_frame
	bl	trap_guest_sync
	b	restore_frame
guest_irq:
	save_frame
	bl	trap_guest_irq
	b	restore_frame
guest_serror:
	save_frame
	bl	trap_guest_serror

restore_frame:
	ldp	x30, x0, [sp, #240]
	ldr	x1, [sp, #256]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
	dsb	nsh
	isb
