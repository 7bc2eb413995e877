#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest /init for mkvectors.sh: print each modern virtio-pci device's offered features and config bytes.
# shellcheck source=/dev/null # built by qemu_initramfs
. /lib/vq-common.sh
vq_setup
# Bytes of config to read per device ID (vqdump's vq_config_size; 9P: 2 + tag_len).
cfg_len() {
	case $1 in
	1) echo 28 ;; 2) echo 96 ;; 3) echo 12 ;; 5) echo 16 ;; 8) echo 36 ;;
	9) echo 2 ;; 16) echo 16 ;; 18) echo 136 ;; 20) echo 56 ;; 23) echo 40 ;;
	*) echo 0 ;;
	esac
}
# Physical address of BAR $2 of device directory $1.
bar_addr() {
	sed -n "$(($2 + 1))p" "$1/resource" | cut -d' ' -f1
}
# "type bar offset length" of each virtio vendor capability (virtio 1.3, 4.1.4).
virtio_caps() {
	od -An -tx1 -v "$1/config" | awk '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	function v(i) { return ("0x" b[i]) + 0 }
	function hex(s,  r, k, c) { r = 0; for (k = 1; k <= length(s); k++) { c = index("0123456789abcdef", substr(s, k, 1)) - 1; r = r * 16 + c } return r }
	function u8(i) { return hex(b[i]) }
	function u32(i) { return u8(i) + 256 * (u8(i + 1) + 256 * (u8(i + 2) + 256 * u8(i + 3))) }
	END {
		p = u8(52); guard = 0
		while (p != 0 && guard++ < 48) {
			if (u8(p) == 9)
				printf "%d %d %d %d\n", u8(p + 3), u8(p + 4), u32(p + 8), u32(p + 12)
			p = u8(p + 1)
		}
	}'
}
dump_cfg() { # ADDR LEN: bytes as hex, one devmem read per byte
	a=$1 n=$2 out='' j=0
	while [ "$j" -lt "$n" ]; do
		out="$out$(printf '%02x' $(($(devmem $((a + j)) 8))))"
		j=$((j + 1))
	done
	echo "$out"
}
echo "VQ-BEGIN"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] || continue
	pdev=$(($(cat "$d/device")))
	[ "$pdev" -ge $((0x1041)) ] || continue # modern IDs only (disable-legacy=on)
	id=$((pdev - 0x1040))
	echo 1 >"$d/enable" 2>/dev/null
	common='' devcfg=''
	while read -r type bar off _len; do
		addr=$(($(bar_addr "$d" "$bar") + off))
		[ "$type" -eq 1 ] && common=$addr
		[ "$type" -eq 4 ] && devcfg=$addr
	done <<CAPS
$(virtio_caps "$d")
CAPS
	# device_feature_select (+0) 0..3, device_feature (+4): what the device offers.
	f=
	for sel in 0 1 2 3; do
		devmem "$common" 32 "$sel"
		f="$f $(printf '%08x' $(($(devmem $((common + 4)) 32))))"
	done
	n=$(cfg_len "$id")
	if [ "$id" -eq 9 ]; then
		n=$((2 + $(devmem "$devcfg" 8) + 256 * $(devmem $((devcfg + 1)) 8)))
	fi
	echo "VQ-DEV pci=${d##*/} id=$id features=$f cfg=$(dump_cfg "$devcfg" "$n")"
	if [ "$id" -eq 18 ]; then
		# Input: select/subsel are driver-written; this capture writes them (vqdump never does).
		for ss in "1 0" "3 0" "17 1"; do
			# shellcheck disable=SC2086 # two numbers, split on purpose
			set -- $ss
			devmem "$devcfg" 8 "$1"
			devmem $((devcfg + 1)) 8 "$2"
			echo "VQ-DEV pci=${d##*/} id=$id features=$f select=$1 subsel=$2 cfg=$(dump_cfg "$devcfg" "$n")"
		done
	fi
done
echo "VQ-END"
poweroff -f
