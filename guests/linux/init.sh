# SPDX-License-Identifier: Apache-2.0
# The Linux test guests' init (run by /init, see init.S): mount the kernel
# file systems, run /etc/check.sh when the kernel command line asks for it
# (bulkhead.check=1), then give a shell on the console. A shell that ends
# powers the domain off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
# busybox's poweroff and reboot signal init, and this init is a script
# that the kernel shields from signals: make them act at once.
for c in poweroff reboot; do
	rm -f /sbin/$c
	printf '#!/bin/busybox sh\nsync\nexec /bin/busybox %s -f\n' $c >/sbin/$c
	chmod 755 /sbin/$c
done
# busybox's shell runs its own applets before looking at PATH: the login
# shell's profile points the two names at the scripts.
echo "alias poweroff=/sbin/poweroff reboot=/sbin/reboot" >/etc/profile
mount -t proc proc /proc
# bulkhead.halt: only the init line was wanted (bench/linux.sh).
grep -q 'bulkhead.halt' /proc/cmdline && poweroff -f
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# virtio-mmio and virtio-blk are modules in Debian's cloud kernel: the
# passthrough disk appears as /dev/vda once they are loaded.
for m in virtio_ring virtio virtio_mmio virtio_blk; do
	insmod /lib/modules/$m.ko
done
echo "init: up, kernel $(uname -r), $(cat /sys/devices/system/cpu/online) online"
# Which boot of this domain: Bulkhead's /chosen/bulkhead,boots (absent
# elsewhere, e.g. under Xen).
boots=0
f=/proc/device-tree/chosen/bulkhead,boots
[ -f $f ] && boots=$(printf %d 0x$(od -An -tx1 $f | tr -d ' \n'))
echo "init: boot $boots"
# bulkhead.check=1: check, then reboot after the first boot and power off
# after the second (tests/qemu/run-linux.sh follows both).
# bulkhead.check=off: check and power off.
if grep -q 'bulkhead.check=1' /proc/cmdline; then
	sh /etc/check.sh
	if [ "$boots" = 1 ]; then
		echo "init: rebooting"
		reboot -f
	fi
	echo "init: powering off"
	poweroff -f
fi
if grep -q 'bulkhead.check=off' /proc/cmdline; then
	sh /etc/check.sh
	echo "init: powering off"
	poweroff -f
fi
echo "init: shell (poweroff or reboot to end)"
setsid cttyhack sh -l
poweroff -f
