// SPDX-License-Identifier: Apache-2.0
/*
 * Boot shim for the Linux benchmark (bench/linux.sh): an arm64 Image
 * whose first 2 MiB are this code and whose rest is Debian's kernel.
 * At its first instruction it prints CNTPCT_EL0 - CNTVCT_EL0, the
 * hypervisor's CNTVOFF for this domain ("shim: cntvoff N" on the vPL011
 * at Xen's guest address 0x22000000), then enters the kernel 2 MiB on
 * with the same x0. /init prints CNTVCT at user space's first
 * instruction; the sum is guest time from reset to init whatever offset
 * the hypervisor gives its domains (Xen: the domain's creation time;
 * Bulkhead: 0). image_size is patched by scripts/build-linux-guest.sh.
 */
#define UART_DR 0x22000000

	.global _head
_head:
	b	start
	.long	0
	.quad	0		/* text_offset */
	.quad	0		/* image_size, patched */
	.quad	0xa		/* little-endian, 4 KiB pages, anywhere in RAM */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

start:
	mov	x19, x0
	isb
	mrs	x9, cntpct_el0
	mrs	x10, cntvct_el0
	sub	x9, x9, x10
	ldr	x20, =UART_DR
	adr	x1, msg
1:	ldrb	w2, [x1], #1
	cbz	w2, 2f
	str	w2, [x20]
	b	1b
2:	adr	x1, digits_end	/* decimal digits, backwards */
	mov	x10, #10
3:	udiv	x12, x9, x10
	msub	x13, x12, x10, x9
	add	w13, w13, #'0'
	strb	w13, [x1, #-1]!
	mov	x9, x12
	cbnz	x9, 3b
	adr	x3, digits_end
4:	ldrb	w2, [x1], #1
	str	w2, [x20]
	cmp	x1, x3
	b.ne	4b
	mov	w2, #'\n'
	str	w2, [x20]
	adr	x4, _head
	add	x4, x4, #0x200000
	mov	x0, x19
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	br	x4

msg:	.asciz	"shim: cntvoff "
	.balign	8
digits:	.space	24
digits_end:
	.ltorg
