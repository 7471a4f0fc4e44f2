// SPDX-License-Identifier: Apache-2.0
/*
 * irq: a guest that uses its GICv3 like an unmodified kernel would. It
 * finds its redistributor by GICR_TYPER affinity, wakes it (GICR_WAKER),
 * enables group 1 in the distributor and in the CPU interface (ICC_*
 * system registers, which the hypervisor backs with the hardware's
 * virtual CPU interface), then:
 *  - takes TICKS virtual timer interrupts (PPI 27), acknowledging with
 *    ICC_IAR1_EL1 and ending with ICC_EOIR1_EL1;
 *  - sends itself an SGI (ICC_SGI1R_EL1, trapped and emulated);
 *  - pends an SPI with GICD_ISPENDR, routed to itself by GICD_IROUTER;
 *  - with a second vCPU: starts it (PSCI CPU_ON), which sets up its own
 *    redistributor and timer; they exchange SGIs both ways and an SPI is
 *    routed to vCPU 1;
 *  - with "reboot" in its bootargs: checks first that it starts with the
 *    GIC in its reset state, and ends each life with PSCI SYSTEM_RESET
 *    while a timer interrupt is still active (acknowledged, never ended)
 *    and an SPI pending: the next life must find none of it;
 *  - with "spill" in its bootargs: first makes SPILL SPIs active through
 *    GICD_ISACTIVER1, more than the hardware has list registers, then runs
 *    the checks above with them active, acknowledges NEST more SPIs nested
 *    (each above the last) and ends them in order, takes a timer interrupt
 *    and an SGI, deactivates the SPILL SPIs through GICD_ICACTIVER1 and
 *    takes another timer interrupt and SGI.
 * Every check prints one PASS or FAIL line; tests/qemu/run-vgic.sh
 * asserts them.
 *
 * The vGIC sits where Xen puts it for a domain without direct-map.
 */
#include "common/guest.h"

#define GICD 0x03001000ul
#define GICR 0x03020000ul

#define TICKS     10
#define SGI_SELF  1
#define SGI_PING  2
#define SGI_PONG  3
#define SPI_TEST  40
#define SPI_OTHER 41
#define VTIMER    27
#define RTC       0x09010000ul /* passed-through PL031 ("pt" in bootargs) */
#define RTC_SPI   34
#define SPILL_SPI 48 /* SPILL SPIs from here made active by GICD_ISACTIVER1 */
#define SPILL     6
#define NEST_SPI  56 /* NEST SPIs from here acknowledged nested */
#define NEST      6

static uint64_t stack1[1024] __attribute__((aligned(16)));

/* Per vCPU, written by the interrupt handler. */
static volatile uint64_t ticks[2], sgis[2][16], spis[2][2], bad_iar[2];
static volatile uint64_t vcpu1_ready, skip_eoi, rtc_irqs;
/* Timer interrupt latency on vCPU 0: counter ticks from CVAL to the handler. */
static volatile uint64_t lat_sum, lat_max;

void guest_main(void *dtb, uint64_t t0);
void irq_handler(void);

#define rd(r)                                                                                      \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                        \
		v_;                                                                                \
	})
#define wr(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_SGI1R_EL1   S3_0_C12_C11_5
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_RPR_EL1     S3_0_C12_C11_3
#define ICC_SRE_EL1     S3_0_C12_C12_5

/*
 * MMIO with plain LDR/STR: a load/store with writeback gives the
 * hypervisor no syndrome to emulate it (Linux's accessors do the same).
 */
static uint32_t rd32(uint64_t a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static void wr32(uint64_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static uint64_t rd64(uint64_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static void wr64(uint64_t a, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static void wr8(uint64_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static unsigned int my_id(void)
{
	return (unsigned int)(rd(mpidr_el1) & 0xff);
}

static void say(bool ok, const char *what, uint64_t v)
{
	char line[120];
	unsigned int n = 0;
	const char *p = ok ? "PASS irq: " : "FAIL irq: ";

	while (*p)
		line[n++] = *p++;
	for (p = what; *p && n < sizeof(line) - 24; p++)
		line[n++] = *p;
	line[n++] = ' ';
	line[n++] = '(';
	char tmp[20];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		line[n++] = tmp[--k];
	line[n++] = ')';
	line[n++] = '\n';
	console_write(line, n); /* one call: lines of two vCPUs never mix */
}

/* EL1 vectors: IRQs to irq_handler(), anything else is a failure. */
__asm__(".balign 0x800\n"
        "irq_vectors:\n"
        ".rept 16\n"
        ".balign 0x80\n"
        "b irq_entry\n"
        ".endr\n"
        "irq_entry:\n"
        "sub sp, sp, #176\n"
        "stp x0, x1, [sp, #0]\n"
        "stp x2, x3, [sp, #16]\n"
        "stp x4, x5, [sp, #32]\n"
        "stp x6, x7, [sp, #48]\n"
        "stp x8, x9, [sp, #64]\n"
        "stp x10, x11, [sp, #80]\n"
        "stp x12, x13, [sp, #96]\n"
        "stp x14, x15, [sp, #112]\n"
        "stp x16, x17, [sp, #128]\n"
        "stp x18, x30, [sp, #144]\n"
        "bl irq_handler\n"
        "ldp x0, x1, [sp, #0]\n"
        "ldp x2, x3, [sp, #16]\n"
        "ldp x4, x5, [sp, #32]\n"
        "ldp x6, x7, [sp, #48]\n"
        "ldp x8, x9, [sp, #64]\n"
        "ldp x10, x11, [sp, #80]\n"
        "ldp x12, x13, [sp, #96]\n"
        "ldp x14, x15, [sp, #112]\n"
        "ldp x16, x17, [sp, #128]\n"
        "ldp x18, x30, [sp, #144]\n"
        "add sp, sp, #176\n"
        "eret\n");

static void timer_arm(void)
{
	wr(cntv_tval_el0, rd(cntfrq_el0) / 2000); /* 0.5 ms */
	wr(cntv_ctl_el0, 1);
	__asm__ volatile("isb");
}

void irq_handler(void)
{
	unsigned int me = my_id() & 1;
	uint64_t iar = rd(ICC_IAR1_EL1);
	uint32_t intid = (uint32_t)(iar & 0xffffff);

	if (intid == VTIMER && skip_eoi) {
		ticks[me]++;
		return; /* left active on purpose, with IRQs kept masked */
	}
	if (intid == VTIMER) {
		if (me == 0) {
			uint64_t lat = rd(cntvct_el0) - rd(cntv_cval_el0);
			lat_sum += lat;
			lat_max = lat > lat_max ? lat : lat_max;
		}
		ticks[me]++;
		if (ticks[me] < TICKS)
			timer_arm();
		else
			wr(cntv_ctl_el0, 0); /* enough: the line drops */
	} else if (intid < 16) {
		sgis[me][intid]++;
		if (intid == SGI_PING) /* answer vCPU 0 */
			wr(ICC_SGI1R_EL1, ((uint64_t)SGI_PONG << 24) | 1);
	} else if (intid == RTC_SPI) {
		rtc_irqs++;
		wr32(RTC + 0x1c, 1); /* RTCICR: the device lowers its line */
	} else if (intid == SPI_TEST || intid == SPI_OTHER) {
		spis[me][intid - SPI_TEST]++;
	} else {
		bad_iar[me] = iar | (1ull << 32);
		if (intid >= 1020)
			return; /* spurious: nothing to end */
	}
	wr(ICC_EOIR1_EL1, iar);
	__asm__ volatile("isb");
}

/* Find and wake this vCPU's redistributor; its base, 0 if not found. */
static uint64_t redist_up(void)
{
	unsigned int me = my_id();

	for (uint64_t rd_base = GICR;; rd_base += 0x20000) {
		uint64_t typer = rd64(rd_base + 0x8);
		if ((typer >> 32) == me) {
			wr32(rd_base + 0x14, rd32(rd_base + 0x14) & ~2u); /* WAKER.ProcessorSleep */
			for (unsigned int i = 0; i < 1000 && (rd32(rd_base + 0x14) & 4); i++)
				;
			return rd_base;
		}
		if (typer & (1u << 4)) /* Last */
			return 0;
	}
}

/* Group 1, priorities, enables for this CPU; CPU interface on. */
static void cpu_if_up(uint64_t rd_base, uint32_t enable)
{
	uint64_t sgi = rd_base + 0x10000;

	wr32(sgi + 0x80, 0xffffffff); /* IGROUPR0: all group 1 */
	for (unsigned int i = 0; i < 32; i += 4)
		wr32(sgi + 0x400 + i, 0xa0a0a0a0);
	wr8(sgi + 0x400 + VTIMER, 0x80);
	wr32(sgi + 0x100, enable); /* ISENABLER0 */
	wr(ICC_SRE_EL1, rd(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb");
	wr(ICC_PMR_EL1, 0xf0);
	wr(ICC_BPR1_EL1, 0);
	wr(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
}

static void install_vectors(void)
{
	uint64_t v;
	__asm__ volatile("adr %0, irq_vectors" : "=r"(v));
	wr(vbar_el1, v);
	__asm__ volatile("isb");
}

static bool wait_for(volatile uint64_t *p, uint64_t want)
{
	for (unsigned int i = 0; i < 2000000 && *p < want; i++)
		__asm__ volatile("wfi");
	return *p >= want;
}

static bool has(const char *s, const char *w)
{
	for (; *s; s++) {
		unsigned int i = 0;
		while (w[i] && s[i] == w[i])
			i++;
		if (!w[i])
			return true;
	}
	return false;
}

/* SPILL SPIs active by a distributor write: never acknowledged, no running priority. */
static void spill_activate(void)
{
	uint32_t mask = ((1u << SPILL) - 1) << (SPILL_SPI - 32);

	wr32(GICD + 0x80 + 4, 0xffffffff); /* IGROUPR1: group 1 */
	for (unsigned int i = 0; i < SPILL; i++)
		wr8(GICD + 0x400 + SPILL_SPI + i, 0xf0); /* below all the others */
	wr32(GICD + 0x300 + 4, mask);                    /* ISACTIVER1 */
	uint32_t act = rd32(GICD + 0x300 + 4);
	say((act & mask) == mask, "SPIs made active through GICD_ISACTIVER1", SPILL);
}

/* One more timer interrupt and one more SGI to myself, both taken. */
static bool tick_and_sgi(void)
{
	uint64_t t = ticks[0], s = sgis[0][SGI_SELF];

	timer_arm(); /* the handler stops it again: ticks[0] >= TICKS */
	bool ok = wait_for(&ticks[0], t + 1);
	wr(ICC_SGI1R_EL1, ((uint64_t)SGI_SELF << 24) | 1);
	__asm__ volatile("isb");
	return wait_for(&sgis[0][SGI_SELF], s + 1) && ok;
}

/*
 * With the SPILL SPIs active: NEST SPIs pended one by one, each of higher
 * priority than the last, acknowledged (IRQs masked: read ICC_IAR1_EL1
 * directly) so that they nest, then ended in order with ICC_EOIR1_EL1.
 * More active interrupts than list registers, and still each pending one
 * must be signalled and each EOI must deactivate the right one.
 */
static void spill_nest(void)
{
	uint32_t nest_mask = ((1u << NEST) - 1) << (NEST_SPI - 32);
	uint32_t spill_mask = ((1u << SPILL) - 1) << (SPILL_SPI - 32);
	uint64_t iars[NEST], acked = 0;

	__asm__ volatile("msr daifset, #2");
	for (unsigned int k = 0; k < NEST; k++) {
		wr8(GICD + 0x400 + NEST_SPI + k, (uint8_t)(0xe0 - 0x10 * k));
		wr64(GICD + 0x6000 + 8 * (NEST_SPI + k), 0);
	}
	wr32(GICD + 0x100 + 4, nest_mask); /* ISENABLER1 */
	for (unsigned int k = 0; k < NEST; k++) {
		wr32(GICD + 0x200 + 4, 1u << (NEST_SPI + k - 32)); /* ISPENDR1 */
		iars[k] = 1023;
		for (unsigned int i = 0; i < 100000 && (iars[k] & 0xffffff) >= 1020; i++)
			iars[k] = rd(ICC_IAR1_EL1);
		if ((iars[k] & 0xffffff) == NEST_SPI + k)
			acked++;
	}
	say(acked == NEST, "nested SPIs acknowledged, each above the last", acked);
	uint64_t rpr = rd(ICC_RPR_EL1);
	say(rpr == 0xe0 - 0x10 * (NEST - 1), "running priority is the innermost one's", rpr);
	for (unsigned int k = NEST; k-- > 0;) {
		if ((iars[k] & 0xffffff) < 1020)
			wr(ICC_EOIR1_EL1, iars[k]);
		__asm__ volatile("isb");
	}
	uint32_t act = rd32(GICD + 0x300 + 4);
	say((act & nest_mask) == 0, "nested SPIs ended in order, each deactivated", act);
	say((act & spill_mask) == spill_mask, "the SPIs made active are still active", act);
	rpr = rd(ICC_RPR_EL1);
	say(rpr == 0xff, "running priority idle again", rpr);
	__asm__ volatile("msr daifclr, #2");
	wr32(GICD + 0x180 + 4, nest_mask); /* ICENABLER1 */

	say(tick_and_sgi(), "timer interrupt and SGI taken with SPIs still active", ticks[0]);
	wr32(GICD + 0x380 + 4, spill_mask); /* ICACTIVER1 */
	act = rd32(GICD + 0x300 + 4);
	say((act & spill_mask) == 0, "SPIs deactivated through GICD_ICACTIVER1", act);
	say(tick_and_sgi(), "timer interrupt and SGI taken after that", ticks[0]);
}

void secondary_main(void)
{
	install_vectors();
	uint64_t rdb = redist_up();
	say(rdb == GICR + 0x20000, "vCPU 1 found its redistributor by affinity", rdb);
	cpu_if_up(rdb, (1u << SGI_PING) | (1u << VTIMER));
	__asm__ volatile("msr daifclr, #2");
	timer_arm();
	bool ok = wait_for(&ticks[1], TICKS);
	say(ok, "vCPU 1 took its own virtual timer interrupts", ticks[1]);
	vcpu1_ready = 1;
	__asm__ volatile("dsb ish; sev");
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(void *dtb, uint64_t t0)
{
	struct guest_dt dt;
	unsigned int ncpu = 1;

	(void)t0;
	if (!dt_parse(dtb, &dt)) {
		console_write("FAIL irq: no device tree\n", 25);
		return;
	}
	uart_init(dt.uart);
	if (dt.bootargs[0] == '2')
		ncpu = 2;
	bool reboot = has(dt.bootargs, "reboot");
	bool spill = has(dt.bootargs, "spill");
	install_vectors();
	if (reboot) {
		console_write("irq: life starts\n", 17);
		say((rd32(GICD) & 3) == 0, "reset state: GICD_CTLR groups disabled", rd32(GICD));
		say(rd32(GICD + 0x104) == 0, "reset state: no SPI enabled", rd32(GICD + 0x104));
		say(rd32(GICD + 0x204) == 0, "reset state: no SPI pending", rd32(GICD + 0x204));
		say(rd32(GICR + 0x10300) == 0, "reset state: nothing active", rd32(GICR + 0x10300));
		say(rd32(GICR + 0x10100) == 0, "reset state: no PPI enabled", rd32(GICR + 0x10100));
		say(rd32(GICR + 0x14) == 6, "reset state: redistributor asleep", rd32(GICR + 0x14));
		say((rd(cntv_ctl_el0) & 1) == 0, "reset state: virtual timer off",
		    rd(cntv_ctl_el0));
	}

	/* Distributor identification and enable. */
	uint32_t pidr2 = rd32(GICD + 0xffe8), typer = rd32(GICD + 0x4);
	say(((pidr2 >> 4) & 0xf) == 3, "GICD_PIDR2 says GICv3", pidr2);
	say((typer & 0x1f) >= 1, "GICD_TYPER has SPIs", 32 * ((typer & 0x1f) + 1));
	wr32(GICD + 0x0, 2); /* EnableGrp1 */
	uint32_t ctlr = rd32(GICD + 0x0);
	say((ctlr & 0x12) == 0x12, "GICD_CTLR group 1 enabled, ARE set", ctlr);
	say(rd32(GICD + 0x5000) == 0, "unknown distributor offset reads as zero", 0);

	uint64_t rdb = redist_up();
	say(rdb == GICR, "found my redistributor by affinity", rdb);
	say((rd32(rdb + 0x14) & 6) == 0, "GICR_WAKER awake", rd32(rdb + 0x14));
	uint64_t last = rd64(GICR + 0x20000 * (ncpu - 1) + 0x8);
	say((last >> 4) & 1, "last redistributor has GICR_TYPER.Last", ncpu);
	cpu_if_up(rdb, (1u << SGI_SELF) | (1u << SGI_PONG) | (1u << VTIMER));
	__asm__ volatile("msr daifclr, #2");
	if (spill)
		spill_activate();

	/* Virtual timer. */
	uint64_t c0 = rd(cntvct_el0);
	timer_arm();
	bool ok = wait_for(&ticks[0], TICKS);
	uint64_t us = (rd(cntvct_el0) - c0) * 1000000 / rd(cntfrq_el0);
	say(ok, "virtual timer interrupts taken", ticks[0]);
	say(us >= TICKS * 400, "they came no faster than programmed (us)", us);
	printf_("irq: timer latency (counter ticks of 16 ns): average %u, max %u\n",
	        lat_sum / TICKS, lat_max);

	/* SGI to myself. */
	wr(ICC_SGI1R_EL1, ((uint64_t)SGI_SELF << 24) | 1);
	__asm__ volatile("isb");
	ok = wait_for(&sgis[0][SGI_SELF], 1);
	say(ok, "SGI to myself delivered", sgis[0][SGI_SELF]);

	/* An SPI pended by software, routed here. */
	wr64(GICD + 0x6000 + 8 * SPI_TEST, 0);
	wr8(GICD + 0x400 + SPI_TEST, 0xa0);
	wr32(GICD + 0x80 + 4, 0xffffffff);
	wr32(GICD + 0x100 + 4, 1u << (SPI_TEST - 32));
	wr32(GICD + 0x200 + 4, 1u << (SPI_TEST - 32));
	ok = wait_for(&spis[0][0], 1);
	say(ok, "SPI pended through GICD_ISPENDR delivered", spis[0][0]);
	say((rd32(GICD + 0x200 + 4) & (1u << (SPI_TEST - 32))) == 0,
	    "SPI no longer pending after EOI", 0);

	/* A disabled interrupt is not delivered. */
	wr32(rdb + 0x10000 + 0x180, 1u << SGI_SELF); /* ICENABLER0 */
	wr(ICC_SGI1R_EL1, ((uint64_t)SGI_SELF << 24) | 1);
	for (volatile int i = 0; i < 20000; i++)
		;
	say(sgis[0][SGI_SELF] == 1, "disabled SGI stays pending", sgis[0][SGI_SELF]);
	say(rd32(rdb + 0x10000 + 0x200) & (1u << SGI_SELF), "GICR_ISPENDR0 shows it", 0);
	wr32(rdb + 0x10000 + 0x100, 1u << SGI_SELF);
	ok = wait_for(&sgis[0][SGI_SELF], 2);
	say(ok, "delivered once enabled", sgis[0][SGI_SELF]);
	if (spill)
		spill_nest();

	if (ncpu == 2) {
		int64_t r = psci(PSCI_CPU_ON_64, 1, (uint64_t)(uintptr_t)&guest_secondary_entry,
		                 (uint64_t)(uintptr_t)&stack1[1024]);
		say(r == PSCI_SUCCESS, "CPU_ON vCPU 1", (uint64_t)r);
		for (unsigned int i = 0; i < 50000000 && !vcpu1_ready; i++)
			__asm__ volatile("wfe");
		say(vcpu1_ready, "vCPU 1 ready", 0);
		/* Ping vCPU 1 (affinity 0.0.0.1), it answers with a pong. */
		wr(ICC_SGI1R_EL1, ((uint64_t)SGI_PING << 24) | 2);
		ok = wait_for(&sgis[0][SGI_PONG], 1);
		say(ok, "SGI to vCPU 1 answered by its SGI to vCPU 0", sgis[0][SGI_PONG]);
		/* An SPI routed to vCPU 1 by GICD_IROUTER. */
		wr64(GICD + 0x6000 + 8 * SPI_OTHER, 1);
		wr32(GICD + 0x100 + 4, 1u << (SPI_OTHER - 32));
		wr32(GICD + 0x200 + 4, 1u << (SPI_OTHER - 32));
		for (unsigned int i = 0; i < 200000000 && !spis[1][1]; i++)
			__asm__ volatile("yield");
		say(spis[1][1] == 1 && spis[0][1] == 0, "SPI routed to vCPU 1 went there only",
		    spis[1][1]);
	}
	say(bad_iar[0] == 0 && bad_iar[1] == 0, "no unexpected interrupt", bad_iar[0] | bad_iar[1]);
	if (has(dt.bootargs, "pt")) {
		/* A real device's interrupt, twice: the first EOI must deactivate it. */
		wr8(GICD + 0x400 + RTC_SPI, 0xa0);
		wr64(GICD + 0x6000 + 8 * RTC_SPI, 0);
		wr32(GICD + 0x100 + 4, 1u << (RTC_SPI - 32));
		for (uint64_t k = 1; k <= 2; k++) {
			wr32(RTC + 0x4, rd32(RTC) + 1); /* RTCMR: match in a second */
			wr32(RTC + 0x10, 1);            /* RTCIMSC: interrupt on match */
			for (unsigned int i = 0; i < 400000000 && rtc_irqs < k; i++)
				__asm__ volatile("wfi");
		}
		say(rtc_irqs == 2, "passthrough PL031 interrupt forwarded twice", rtc_irqs);
	}
	if (reboot) {
		/* Leave a mess: an active timer interrupt, a pending SPI. */
		skip_eoi = 1;
		uint64_t t = ticks[0];
		timer_arm();
		ok = wait_for(&ticks[0], t + 1);
		__asm__ volatile("msr daifset, #2");
		wr32(GICD + 0x100 + 4, 1u << (SPI_TEST - 32));
		wr32(GICD + 0x200 + 4, 1u << (SPI_TEST - 32));
		say(ok && (rd32(GICR + 0x10300) & (1u << VTIMER)), "timer interrupt left active",
		    0);
		console_write("irq: resetting\n", 15);
		psci_system_reset();
	}
	console_write("irq: done\n", 10);
}
