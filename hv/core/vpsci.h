/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSCI for guests (SMCCC through HVC #0 or a trapped SMC #0). Each vCPU
 * owns a physical CPU, so CPU_ON simply makes the target vCPU pending on
 * its CPU; SYSTEM_OFF destroys the domain (memory scrubbed, kept for it)
 * and SYSTEM_RESET re-creates it on the same memory.
 */
#ifndef BULKHEAD_CORE_VPSCI_H
#define BULKHEAD_CORE_VPSCI_H

#include "../public/bulkhead_abi.h"
#include "domain.h"

/* Function ids and return codes (PSCI_*, SMCCC_*): public/bulkhead_abi.h. */

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
