// SPDX-License-Identifier: Apache-2.0
/*
 * /init of the Linux test guests: print the virtual counter at the first
 * instruction of user space ("init: cntvct N", for bench/linux.sh), then
 * exec the busybox shell on /etc/init.sh. Reading CNTVCT_EL0 here and not
 * in a shell command keeps the measurement free of busybox's own start.
 * Under Bulkhead CNTVOFF is 0: the count is guest time since reset.
 */
	.global _start
_start:
	isb
	mrs	x9, cntvct_el0
	adr	x1, end		/* digits are written backwards from here */
	mov	x2, #0
	mov	x10, #10
	mov	w11, #'\n'
	sub	x1, x1, #1
	strb	w11, [x1]
	add	x2, x2, #1
1:	udiv	x12, x9, x10
	msub	x13, x12, x10, x9
	add	w13, w13, #'0'
	sub	x1, x1, #1
	strb	w13, [x1]
	add	x2, x2, #1
	mov	x9, x12
	cbnz	x9, 1b
	adr	x3, prefix	/* prefix is right before the digit buffer */
	mov	x4, #(prefix_end - prefix)
	sub	x1, x1, x4
	add	x2, x2, x4
2:	ldrb	w5, [x3], #1	/* copy the prefix in front of the digits */
	strb	w5, [x1], #1
	subs	x4, x4, #1
	b.ne	2b
	sub	x1, x1, #(prefix_end - prefix)
	mov	x0, #1
	mov	x8, #64		/* write */
	svc	#0
	adr	x0, sh		/* execve("/bin/busybox", {"sh", "/etc/init.sh", 0}, {0}) */
	adr	x1, argv
	adr	x2, envp
	adr	x3, arg0
	str	x3, [x1]
	adr	x3, arg1
	str	x3, [x1, #8]
	mov	x8, #221
	svc	#0
	mov	x0, #127	/* exec failed: exit, the kernel panics with a message */
	mov	x8, #93
	svc	#0

prefix:	.ascii "init: cntvct "
prefix_end:
sh:	.asciz "/bin/busybox"
arg0:	.asciz "sh"
arg1:	.asciz "/etc/init.sh"
	.data
	.balign 8
argv:	.quad 0, 0, 0
envp:	.quad 0
	.space 64
end:
