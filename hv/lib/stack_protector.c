// SPDX-License-Identifier: Apache-2.0
/*
 * Stack protector support: the packaged libfdt.a was built with
 * -fstack-protector, so the image must provide the guard and the
 * failure hook. The guard is a fixed odd pattern: there is no entropy
 * this early, and the check is a bug detector here, not a secret.
 */
#include <stdint.h>
#include "../core/arch.h"

uintptr_t __stack_chk_guard = 0x5a17c0de2b0b5eedull;

_Noreturn void __stack_chk_fail(void);

_Noreturn void __stack_chk_fail(void)
{
	arch_panic("stack smashing detected");
}
