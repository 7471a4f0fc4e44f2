/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interfaces of the arm64 layer. */
#ifndef BULKHEAD_ARM64_H
#define BULKHEAD_ARM64_H

#include "core/types.h"
#include "core/plan.h"
#include "sysreg.h"

#define CPU_STACK_SIZE (16u * 1024u) /* head.S: STACK_SHIFT */

/** Registers of the interrupted context, saved by head.S (272 bytes). */
struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};
_Static_assert(sizeof(struct trap_frame) == 272, "head.S FRAME_SIZE");

struct vcpu;

/** One physical CPU. TPIDR_EL2 points to it. */
struct cpu {
	unsigned int index;
	uint64_t mpidr;
	bool present;
	struct vcpu *vcpu; /* the vCPU this CPU runs, NULL when idle */
	/*
	 * True from the moment the CPU decides to enter its vCPU (under the
	 * domain lock) until it next enters the hypervisor: while it is false
	 * the CPU runs no guest code and touches no domain state unlocked.
	 */
	volatile bool in_guest;
};

extern struct cpu cpus[PLAN_MAX_CPUS];
extern uint8_t cpu_stacks[PLAN_MAX_CPUS][CPU_STACK_SIZE];

static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)read_sysreg(tpidr_el2);
}

/* Spin lock that waits with wfe (required under QEMU -icount). */
typedef struct {
	volatile uint32_t v;
} spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/* mmu.c */
void mmu_map_boot(uint64_t dtb_pa, uint64_t dtb_size);
void mmu_map_ram(const struct plan *plan);
bool mmu_map_ro(uint64_t base, uint64_t size);
void mmu_enable(void);
unsigned int mmu_pa_bits(void);

/* console.c: host PL011 */
void uart_set_base(uint64_t base);
/** uart_getc() - a byte received on the host UART, or -1 when none is waiting. */
int uart_getc(void);
/** uart_rx_irq_enable() - let the host UART raise its receive interrupt (INTID 33 on virt). */
void uart_rx_irq_enable(void);

/* psci.c: calls to the firmware (QEMU's PSCI emulation) by SMC */
int64_t fw_psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx);
_Noreturn void fw_psci_cpu_off(void);
_Noreturn void fw_psci_system_off(void);

/* head.S */
void secondary_entry(void);
_Noreturn void guest_resume(struct trap_frame *f);
void fp_reset(void);
_Noreturn void call_on_frame(struct trap_frame *f, void (*fn)(struct trap_frame *));

/* traps.c */
_Noreturn void cpu_run_vcpu(void);
void trap_guest_sync(struct trap_frame *f);
void trap_guest_irq(struct trap_frame *f);
void trap_guest_serror(struct trap_frame *f);
void trap_hyp_sync(struct trap_frame *f);
void trap_hyp_other(struct trap_frame *f);

/* gic.c: the host GICv3 */
#define GIC_SGI_KICK   8
#define GIC_PPI_MAINT  25 /* GIC maintenance interrupt */
#define GIC_PPI_VTIMER 27 /* EL1 virtual timer */
void gic_init_global(uint64_t gicd, uint64_t gicr);
void gic_init_cpu(unsigned int index);
void gic_send_kick(uint64_t mpidr);
uint32_t gic_ack(void);                 /* IAR1: INTID, >= 1020 if none */
void gic_priority_drop(uint32_t intid); /* EOIR1 (EOImode = 1) */
void gic_deactivate(uint32_t intid);    /* DIR */
void gic_ppi_clear_active(unsigned int index, uint32_t intid);
void gic_spi_clear_active(uint32_t intid);
/* SPI @intid: quiesced (disabled, inactive, not pending), then if @enable
 * routed to @mpidr, group 1, enabled. */
void gic_spi_assign(uint32_t intid, uint64_t mpidr, bool enable);

/* vgic_arch.c: the guests' vGIC on the hardware CPU interface */
void vgic_vcpu_reset(struct vcpu *v); /* vcpu_load(): fresh CPU interface */
/* Trap entry: list registers back into the vGIC state (@live), or dropped. */
void vgic_vcpu_exit(struct vcpu *v, bool live);
void vgic_vcpu_enter(struct vcpu *v); /* before eret: state -> list registers */
void vgic_handle_irqs(void);          /* physical IRQ while a guest ran */
bool vgic_mmio(struct vcpu *v, ipa_t ipa, uint64_t esr, struct trap_frame *f);
bool vgic_sysreg(struct vcpu *v, uint64_t esr, struct trap_frame *f);

struct domain;

/**
 * vgic_inject() - make @intid pending for @d, edge style. For SGIs and
 * PPIs @vcpu names the target vCPU; for SPIs it is ignored and the
 * guest's GICD_IROUTER decides. Callable from any trap handler or with
 * the domain lock held. The target vCPU's CPU is kicked to refill its list
 * registers. Invalid INTIDs or vCPUs are ignored.
 */
void vgic_inject(struct domain *d, unsigned int vcpu, uint32_t intid);

/**
 * vgic_set_level() - set the line of SPI @intid of @d high or low (level-
 * sensitive devices such as the vPL011: high while RX data waits). The
 * interrupt stays pending while the line is high, and is taken back when
 * the line drops before the guest acknowledged it.
 */
void vgic_set_level(struct domain *d, uint32_t intid, bool high);

/* vpl011.c */
#define PL011_PAGE 0x1000
bool vpl011_access(struct vcpu *v, ipa_t ipa, uint64_t esr, struct trap_frame *f);
/**
 * vpl011_console_start() - input goes to the first domain; announce it.
 * The host UART's receive interrupt (@uart_intid, an SPI) goes to CPU 0.
 */
void vpl011_console_start(unsigned int nr_domains, uint32_t uart_intid);
/**
 * vpl011_poll_input() - drain the host UART's receive FIFO into the
 * focused domain's vPL011 (or the hypervisor), switching on Ctrl-A x3.
 * Call on any CPU: on the host UART interrupt, and on guest interrupts.
 */
void vpl011_poll_input(void);

/* boot.c */
_Noreturn void boot_primary(uint64_t dtb_pa);
_Noreturn void boot_secondary(uint64_t index);
uint64_t boot_cpu_mpidr(unsigned int index);

#endif
