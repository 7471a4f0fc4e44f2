/* SPDX-License-Identifier: Apache-2.0 */
/* System register access and the EL2 register bits Bulkhead uses. */
#ifndef BULKHEAD_ARM64_SYSREG_H
#define BULKHEAD_ARM64_SYSREG_H

#include <stdint.h>

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t v__;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(v__));                                       \
		v__;                                                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

#define isb()    __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define wfe()    __asm__ volatile("wfe" ::: "memory")
#define sev()    __asm__ volatile("sev" ::: "memory")

/* HCR_EL2 */
#define HCR_VM     (1ull << 0)
#define HCR_SWIO   (1ull << 1)
#define HCR_FMO    (1ull << 3)
#define HCR_IMO    (1ull << 4)
#define HCR_AMO    (1ull << 5)
#define HCR_FB     (1ull << 9)
#define HCR_BSU_IS (1ull << 10)
#define HCR_TSC    (1ull << 19)
#define HCR_RW     (1ull << 31)

/* SCTLR_EL2 */
#define SCTLR_M   (1ull << 0)
#define SCTLR_A   (1ull << 1)
#define SCTLR_C   (1ull << 2)
#define SCTLR_SA  (1ull << 3)
#define SCTLR_I   (1ull << 12)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EL2_RES1                                                                             \
	((3ull << 4) | (1ull << 11) | (1ull << 16) | (1ull << 18) | (3ull << 22) | (3ull << 28))

/* SCTLR_EL1 reset value for a guest: RES1 bits only, MMU and caches off. */
#define SCTLR_EL1_GUEST_RESET 0x30d00800ull

/* ESR_ELx */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr)  (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL       (1ull << 25)
#define EC_UNKNOWN   0x00
#define EC_HVC64     0x16
#define EC_SMC64     0x17
#define EC_SYSREG    0x18
#define EC_IABT_LOW  0x20
#define EC_DABT_LOW  0x24

/* Data abort ISS */
#define DABT_ISV    (1ull << 24)
#define DABT_SAS(e) (((e) >> 22) & 3)
#define DABT_SRT(e) (((e) >> 16) & 31)
#define DABT_WNR    (1ull << 6)

/* SPSR: EL1h with D, A, I, F masked. */
#define SPSR_EL1H_MASKED 0x3c5ull

#endif
