/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot plan: everything the hypervisor will do with the machine,
 * derived from the host device tree before anything is done.
 *
 * plan_build() reads the host DT (Xen's dom0less bindings) and validates
 * it; the hypervisor runs it at boot and `bulkhead check` runs the very
 * same code on the integrator's desk. A plan with errors is never
 * executed: every error is reported and no domain starts.
 *
 * Fixed-size arrays keep the plan free of dynamic allocation, so it works
 * the same before any allocator exists.
 */
#ifndef BULKHEAD_CORE_PLAN_H
#define BULKHEAD_CORE_PLAN_H

#include "types.h"

#define PLAN_MAX_RAM_BANKS    16
#define PLAN_MAX_RESERVED     32
#define PLAN_MAX_HEAP_RANGES  16
#define PLAN_MAX_DOMAINS      16
#define PLAN_MAX_STATIC_BANKS 16 /* per domain */
#define PLAN_MAX_MODULES      3  /* per domain: kernel, ramdisk, device tree */
#define PLAN_MAX_PT_DEVICES   8  /* passthrough devices per domain */
#define PLAN_MAX_PT_REGS      8  /* xen,reg entries per device */
#define PLAN_MAX_PT_IRQS      8  /* interrupts per device */
#define PLAN_MAX_CPUS         8
#define PLAN_NAME_MAX         32
#define PLAN_PATH_MAX         128
#define PLAN_BOOTARGS_MAX     256
#define PLAN_MAX_MESSAGES     64
#define PLAN_MESSAGE_MAX      200

/* Xen's guest memory map (non-direct-mapped domains). */
#define GUEST_GICD_BASE    0x03001000ull
#define GUEST_GICD_SIZE    0x10000ull
#define GUEST_GICR_BASE    0x03020000ull
#define GUEST_GICR_STRIDE  0x20000ull
#define GUEST_PL011_BASE   0x22000000ull
#define GUEST_PL011_SIZE   0x1000ull
#define GUEST_PL011_INTID  32u
#define GUEST_RAM0_BASE    0x40000000ull
#define GUEST_RAM0_SIZE    (3ull << 30)
#define GUEST_RAM1_BASE    0x200000000ull
#define GUEST_RAM1_SIZE    (1016ull << 30)
#define GUEST_VTIMER_INTID 27u

/* Where QEMU virt puts the hypervisor image when nothing else is said. */
#define PLAN_DEFAULT_HV_BASE 0x40200000ull
#define PLAN_DEFAULT_HV_SIZE (2ull << 20)
/* Largest xen,domain-p2m-mem-mb accepted (MiB): tables for 512 GiB mapped with pages. */
#define PLAN_MAX_P2M_MEM_MB 1024u

/**
 * A host-physical range: RAM, reserved memory, the heap, modules, the
 * xen,static-mem entries as written. Left untyped (uint64_t): these are
 * host facts that are only compared with each other; the plan's typed
 * pa_t/ipa_t fields below are where host and guest addresses meet.
 */
struct plan_range {
	uint64_t base;
	uint64_t size;
};

/** What a piece of host-physical memory is used for. */
enum plan_kind {
	PLAN_KIND_UNUSED,
	PLAN_KIND_HYPERVISOR, /* the hypervisor image, stacks, page tables */
	PLAN_KIND_DTB,        /* the host device tree blob */
	PLAN_KIND_RESERVED,   /* /reserved-memory or /memreserve/ */
	PLAN_KIND_MODULE,     /* a boot module (kernel, ramdisk, partial DT) */
	PLAN_KIND_HEAP,       /* feeds the boot allocator and the buddy heap */
	PLAN_KIND_STATIC,     /* a domain's static memory */
};

enum plan_module_kind {
	PLAN_MODULE_KERNEL,
	PLAN_MODULE_RAMDISK,
	PLAN_MODULE_DEVICE_TREE,
};

struct plan_module {
	enum plan_module_kind kind;
	struct plan_range range; /* where the boot loader placed it */
	char node[PLAN_PATH_MAX];
};

/**
 * One static bank: host range and where the guest sees it. For a
 * direct-mapped domain plan_build() sets ipa = ipa_from_pa_direct(pa):
 * users read ipa and never choose between the two.
 */
struct plan_bank {
	pa_t pa;
	ipa_t ipa;
	uint64_t size;
	unsigned int index; /* the xen,static-mem entry it comes from */
};

/** A device given to a domain from its partial device tree. */
struct plan_pt_device {
	char path[PLAN_PATH_MAX]; /* xen,path: the node in the host DT */
	char node[PLAN_PATH_MAX]; /* the node in the partial DT */
	unsigned int nr_regs;
	struct {
		pa_t pa; /* xen,reg triple: host address, size, guest address */
		uint64_t size;
		ipa_t ipa;
	} regs[PLAN_MAX_PT_REGS];
	unsigned int nr_irqs;
	uint32_t irqs[PLAN_MAX_PT_IRQS]; /* GIC INTIDs (SPI n -> 32 + n) */
	bool force_without_iommu;
	bool dma_capable;
};

struct plan_domain {
	char name[PLAN_NAME_MAX]; /* node name, e.g. "domU1" */
	char node[PLAN_PATH_MAX]; /* e.g. "/chosen/domU1" */
	unsigned int vcpus;
	uint64_t memory_kib; /* the `memory` property */
	bool direct_map;
	bool is_static; /* has xen,static-mem */
	bool vpl011;
	unsigned int nr_banks;
	struct plan_bank banks[PLAN_MAX_STATIC_BANKS]; /* static banks, DT order */
	/*
	 * The xen,static-mem entries as written. banks[] is the guest view:
	 * an entry that straddles Xen's guest bank 0 and bank 1 is split in
	 * two banks with the same index.
	 */
	unsigned int nr_static;
	struct plan_range static_mem[PLAN_MAX_STATIC_BANKS];
	/*
	 * Emulated devices, at guest-physical addresses (a direct-mapped
	 * domain's are the host's, through ipa_from_pa_direct()).
	 */
	ipa_t gicd_base, gicr_base, pl011_base;
	uint32_t pl011_intid;
	unsigned int nr_modules;
	struct plan_module modules[PLAN_MAX_MODULES];
	char bootargs[PLAN_BOOTARGS_MAX]; /* from the kernel module, may be empty */
	unsigned int nr_pt;
	struct plan_pt_device pt[PLAN_MAX_PT_DEVICES];
	unsigned int first_cpu; /* physical CPUs first_cpu..first_cpu+vcpus-1 */
	/*
	 * xen,domain-p2m-mem-mb: the most stage-2 table memory the domain may
	 * make the hypervisor hold, in MiB; 0 when absent (dommem's default).
	 */
	uint32_t p2m_mem_mb;
	/*
	 * plan_build() placed the kernel, ramdisk and guest DT in the
	 * domain's RAM with kimage_plan(), as the hypervisor will. False when
	 * it could not: the plan has errors, the domain has no static banks,
	 * or module_ptr gave no bytes of the kernel.
	 */
	bool placement_checked;
};

/** A labelled range of the physical memory map, for check output and maps. */
struct plan_map_entry {
	struct plan_range range;
	enum plan_kind kind;
	int domain; /* index in plan.domains for STATIC and MODULE, else -1 */
	char label[PLAN_PATH_MAX];
};

enum plan_severity { PLAN_ERROR, PLAN_WARNING };

struct plan_message {
	enum plan_severity severity;
	char text[PLAN_MESSAGE_MAX];
};

struct plan {
	unsigned int nr_ram;
	struct plan_range ram[PLAN_MAX_RAM_BANKS];
	unsigned int nr_reserved;
	struct plan_map_entry reserved[PLAN_MAX_RESERVED]; /* reserved-memory, memreserve */
	struct plan_range hv_image;
	struct plan_range dtb;
	bool has_static_heap;
	unsigned int nr_heap;
	struct plan_range heap[PLAN_MAX_HEAP_RANGES]; /* xen,static-heap, if any */
	unsigned int nr_cpus;                         /* physical CPUs in /cpus */
	int cpu_node[PLAN_MAX_CPUS]; /* their DT offsets: reg (MPIDR) read when a CPU starts */
	char stdout_path[PLAN_PATH_MAX];
	pa_t uart_base; /* host UART named by stdout-path, 0 if none */
	uint32_t uart_intid;
	pa_t gicd_base, gicr_base; /* host GIC */
	uint64_t gicr_size;        /* host redistributor region */
	uint64_t heap_needed;      /* bytes the static heap must hold (0 without one) */
	unsigned int nr_domains;
	struct plan_domain domains[PLAN_MAX_DOMAINS];
	unsigned int nr_messages;
	unsigned int nr_errors;
	struct plan_message messages[PLAN_MAX_MESSAGES];
	bool messages_truncated;
};

/** Inputs that do not come from the device tree. */
struct plan_input {
	const void *fdt;            /* the host DT blob */
	size_t fdt_size;            /* bytes readable at fdt; 0: trust its header */
	struct plan_range hv_image; /* where the hypervisor sits */
	struct plan_range dtb;      /* where the blob sits; size 0: its totalsize */
	/*
	 * Boot modules that plan_build() must read: the partial device trees
	 * of passthrough (@size is the module's size) and, once the rest of
	 * the plan is valid, the first bytes of each kernel (@size is
	 * min(KIMAGE_HEADER_SIZE, module size)) for kimage_plan(). Returns
	 * @size readable bytes from the start of the module placed at @pa,
	 * or NULL when it is not available (the host tool was not given the
	 * file): passthrough is then not checked and a warning says so, and
	 * the domain's placement_checked stays false. The hypervisor passes
	 * its identity map. May be NULL: no module is readable.
	 */
	const void *(*module_ptr)(void *ctx, uint64_t pa, uint64_t size);
	void *module_ctx;
};

/**
 * plan_build() - read and validate the host device tree.
 * @in:   the blob and the facts not in it.
 * @plan: filled in; plan->nr_errors says whether it may be executed.
 *
 * Never stops at the first error: every problem is recorded in
 * plan->messages, each naming the node path, the property and the entry.
 * Return: 0 when the plan has no errors, -HV_EINVAL otherwise.
 */
int plan_build(const struct plan_input *in, struct plan *plan);

/**
 * plan_memory_map() - the physical memory map, sorted by address.
 * Fills up to @max entries covering every RAM byte (UNUSED where nothing
 * claims it) and returns the number that a complete map needs.
 */
unsigned int plan_memory_map(const struct plan *plan, struct plan_map_entry *map, unsigned int max);

/** plan_kind_name() - "static", "heap", ... for output. */
const char *plan_kind_name(enum plan_kind kind);

/** plan_module_kind_name() - "kernel", "ramdisk" or "device-tree", for output. */
const char *plan_module_kind_name(enum plan_module_kind kind);

#endif
