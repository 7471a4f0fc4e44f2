/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI for guests (SMCCC through HVC #0 or a trapped SMC #0). Each vCPU
 * owns a physical CPU, so CPU_ON simply makes the target vCPU pending on
 * its CPU; SYSTEM_OFF destroys the domain (memory scrubbed, kept for it)
 * and SYSTEM_RESET re-creates it on the same memory.
 */
#ifndef BULKHEAD_CORE_VPSCI_H
#define BULKHEAD_CORE_VPSCI_H

#include "domain.h"

#define PSCI_VERSION          0x84000000u
#define PSCI_CPU_SUSPEND_64   0xc4000001u
#define PSCI_CPU_OFF          0x84000002u
#define PSCI_CPU_ON_64        0xc4000003u
#define PSCI_AFFINITY_INFO_64 0xc4000004u
#define PSCI_SYSTEM_OFF       0x84000008u
#define PSCI_SYSTEM_RESET     0x84000009u
#define PSCI_FEATURES         0x8400000au
#define SMCCC_VERSION         0x80000000u

#define PSCI_SUCCESS          0
#define PSCI_NOT_SUPPORTED    (-1)
#define PSCI_INVALID_PARAMS   (-2)
#define PSCI_DENIED           (-3)
#define PSCI_ALREADY_ON       (-4)
#define PSCI_ON_PENDING       (-5)
#define PSCI_INTERNAL_FAILURE (-6)

/**
 * vpsci_call() - handle a guest's SMCCC call.
 * @v:    the calling vCPU.
 * @args: x0 (function id) .. x3.
 * Return: the value for x0. After SYSTEM_OFF, CPU_OFF or SYSTEM_RESET the
 * caller's state is no longer VCPU_RUNNING: the arch layer then stops or
 * restarts it instead of returning to the guest.
 */
uint64_t vpsci_call(struct vcpu *v, const uint64_t args[4]);

#endif
