# SPDX-License-Identifier: Apache-2.0
# Facts the host-side test (tests/qemu/run-linux.sh) compares with the
# board: where RAM is, how many CPUs, timer interrupts counted, and the
# checksum of the passthrough disk. One "check: ..." line each.
grep 'System RAM' /proc/iomem | sed 's/^ */check: iomem /'
echo "check: cpus online $(cat /sys/devices/system/cpu/online)"
sleep 0.2
awk '/arch_timer/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print "check: timer interrupts " n }' /proc/interrupts
if [ -b /dev/vda ]; then
	size=$(cat /etc/disk-payload-size 2>/dev/null || echo 1048576)
	echo "check: disk sha256 $(head -c "$size" /dev/vda | sha256sum | cut -d' ' -f1)"
else
	echo "check: no disk"
fi
echo "check: done"
