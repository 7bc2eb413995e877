# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for QEMU tests: guest kernel, busybox initramfs, QEMU start/stop.
# shellcheck shell=bash disable=SC2012
#
# Source this file from bash.  Functions:
#   qemu_available                       0 if qemu-system-x86_64, busybox, python3 exist
#   qemu_kernel                          unpack the Debian guest kernel into cache/;
#                                        sets QEMU_VMLINUZ, QEMU_MODDIR,
#                                        QEMU_KERNEL_PKG; prints vmlinuz (call
#                                        it directly, not in $(...))
#   qemu_tmpdir                          mktemp -d into QEMU_TMP, removed (and
#                                        QEMU killed) on EXIT
#   qemu_initramfs OUT INIT "MODS" [EXTRA...]
#                                        build a gzip'd newc cpio; EXTRA is
#                                        SRC=DEST (a file) or bin:SRC=DEST (an
#                                        executable plus the libraries ldd lists)
#   qemu_start DIR ARGS...               run QEMU in the background, QMP socket
#                                        DIR/qmp.sock, serial DIR/serial.log;
#                                        sets QEMU_PID, QEMU_QMP, QEMU_SERIAL
#   qemu_wait_serial PATTERN SECS        wait for an ERE in the serial log
#   qemu_qmp CMD [JSON]                  one QMP command on QEMU_QMP, prints "return"
#   qemu_stop                            quit QEMU (QMP, then TERM, then KILL)

QEMU_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QEMU_CACHE_DIR=${QEMU_CACHE_DIR:-$QEMU_LIB_DIR/cache}
QEMU_BIN=${QEMU_BIN:-qemu-system-x86_64}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300}     # hard limit on one QEMU run, seconds
QEMU_KERNEL_META=${QEMU_KERNEL_META:-linux-image-cloud-amd64}
QEMU_PID=
QEMU_TMPDIRS=()

qemu_log() { printf '%s\n' "$*" >&2; }

qemu_available() {
	command -v "$QEMU_BIN" >/dev/null 2>&1 &&
		command -v busybox >/dev/null 2>&1 &&
		command -v python3 >/dev/null 2>&1
}

# The versioned kernel package the meta package depends on now (no pinning).
qemu_kernel_package() {
	local meta pkg
	for meta in "$QEMU_KERNEL_META" linux-image-amd64; do
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		if [ -n "$pkg" ]; then
			printf '%s\n' "$pkg"
			return 0
		fi
	done
	return 1
}

qemu_kernel() {
	local pkg dir deb tmp
	mkdir -p "$QEMU_CACHE_DIR" || return 1
	pkg=$(qemu_kernel_package)
	if [ -z "$pkg" ]; then
		# No package lists: fall back to whatever kernel is already cached.
		dir=$(ls -d "$QEMU_CACHE_DIR"/kernel-linux-image-* 2>/dev/null | sort | tail -n 1)
		if [ -z "$dir" ]; then
			qemu_log "qemu_kernel: cannot resolve $QEMU_KERNEL_META (run apt-get update)"
			return 1
		fi
	else
		dir=$QEMU_CACHE_DIR/kernel-$pkg
	fi
	if [ ! -e "$dir/.complete" ]; then
		qemu_log "qemu_kernel: fetching $pkg"
		tmp=$(mktemp -d "$QEMU_CACHE_DIR/dl.XXXXXX") || return 1
		if ! (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1); then
			qemu_log "qemu_kernel: apt-get download $pkg failed"
			rm -rf "$tmp"
			return 1
		fi
		deb=$(ls "$tmp"/*.deb | head -n 1)
		rm -rf "$dir"
		mkdir -p "$dir"
		if ! dpkg -x "$deb" "$dir"; then
			rm -rf "$tmp" "$dir"
			return 1
		fi
		basename "$deb" >"$dir/.deb-name"
		rm -rf "$tmp"
		touch "$dir/.complete"
	fi
	QEMU_VMLINUZ=$(ls "$dir"/boot/vmlinuz-* | head -n 1)
	QEMU_MODDIR=$(ls -d "$dir"/lib/modules/* | head -n 1)
	QEMU_KERNEL_PKG=$(cat "$dir/.deb-name" 2>/dev/null || basename "$dir")
	export QEMU_VMLINUZ QEMU_MODDIR QEMU_KERNEL_PKG
	printf '%s\n' "$QEMU_VMLINUZ"
}

# Remove our temporary directories and stop QEMU; installed as the EXIT trap.
qemu_cleanup() {
	qemu_stop >/dev/null 2>&1
	local d
	for d in "${QEMU_TMPDIRS[@]}"; do
		[ -n "$d" ] && rm -rf "$d"
	done
	QEMU_TMPDIRS=()
}

# Sets QEMU_TMP (call it directly, not in $(...), so the trap stays here).
qemu_tmpdir() {
	QEMU_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vqdump-qemu.XXXXXX") || return 1
	QEMU_TMPDIRS+=("$QEMU_TMP")
	trap qemu_cleanup EXIT
	trap 'exit 130' INT TERM
}

# Path (relative to QEMU_MODDIR) of module NAME's .ko file, or nothing.
# The unpacked package has no modules.dep (depmod runs at install time), so
# the name index is built here and dependencies come from each .ko's modinfo.
_qemu_mod_path() {
	local idx=$QEMU_MODDIR/.vq-index
	if [ ! -s "$idx" ]; then
		(cd "$QEMU_MODDIR" && find kernel -name '*.ko' | awk '{
			n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n); gsub(/-/, "_", n)
			print n, $0 }') >"$idx"
	fi
	awk -v n="$1" '$1 == n { print $2; exit }' "$idx"
}

# Print the .ko paths for module NAME and its dependencies, dependencies first.
_qemu_mod_resolve() {
	local name=$1 path dep
	name=${name//-/_}
	path=$(_qemu_mod_path "$name")
	if [ -z "$path" ]; then
		# Built into the kernel or absent: nothing to load.
		if ! grep -qE "/${name}\.ko$" "$QEMU_MODDIR/modules.builtin" 2>/dev/null; then
			qemu_log "qemu_initramfs: module $name not found (ignored)"
		fi
		return 0
	fi
	for dep in $(grep -a -o 'depends=[A-Za-z0-9_,-]*' "$QEMU_MODDIR/$path" |
		head -n 1 | sed 's/^depends=//; s/,/ /g'); do
		_qemu_mod_resolve "$dep"
	done
	printf '%s\n' "$path"
}

# The virtio transport order from qemu-notes.md, then the requested drivers.
qemu_module_list() {
	local m
	{
		for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci "$@"; do
			_qemu_mod_resolve "$m"
		done
	} | awk '!seen[$0]++'
}

# Copy an executable and its shared libraries (from ldd) into ROOT.
_qemu_add_binary() {
	local root=$1 src=$2 dest=$3 lib
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$src" "$root/$dest"
	chmod 755 "$root/$dest"
	for lib in $(ldd "$src" 2>/dev/null | grep -oE '/[^ ]+'); do
		[ -e "$lib" ] || continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}

# qemu_initramfs OUT INIT_SCRIPT "MODULES" [SRC=DEST | bin:SRC=DEST ...]
# The initramfs holds busybox, /init (the given script), /lib/vq-common.sh
# (helpers the init script may source: vq_setup, vq_load_modules) and the
# modules in load order under /modules (listed in /modules/order).
qemu_initramfs() {
	local out=$1 init=$2 mods=$3 root spec src dest rel
	shift 3
	[ -n "$QEMU_MODDIR" ] || qemu_kernel >/dev/null || return 1
	root=$(mktemp -d "${TMPDIR:-/tmp}/vqdump-initramfs.XXXXXX") || return 1
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,lib,modules,mnt,usr/bin,usr/sbin}
	cp "$(command -v busybox)" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$init" "$root/init"
	chmod 755 "$root/init"
	cat >"$root/lib/vq-common.sh" <<'EOF'
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest-side helpers sourced by test /init scripts.
vq_setup() {
	/bin/busybox --install -s
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev 2>/dev/null
	mount -t tmpfs tmp /tmp
	echo 1 > /proc/sys/kernel/printk 2>/dev/null
}
vq_load_modules() {
	local ko
	while read -r ko; do
		insmod "/modules/$ko" || echo "VQ: insmod $ko failed"
	done < /modules/order
}
EOF
	: >"$root/modules/order"
	# shellcheck disable=SC2086 # MODS is a space-separated list
	for rel in $(qemu_module_list $mods); do
		cp "$QEMU_MODDIR/$rel" "$root/modules/"
		basename "$rel" >>"$root/modules/order"
	done
	for spec in "$@"; do
		case $spec in
		bin:*)
			spec=${spec#bin:}
			_qemu_add_binary "$root" "${spec%%=*}" "${spec#*=}"
			;;
		*)
			src=${spec%%=*}
			dest=${spec#*=}
			mkdir -p "$root/$(dirname "$dest")"
			cp -L "$src" "$root/$dest"
			;;
		esac
	done
	(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

# qemu_start DIR ARGS...: machine basics (TCG, no display, no reboot) are added.
qemu_start() {
	local dir=$1
	shift
	QEMU_QMP=$dir/qmp.sock
	QEMU_SERIAL=$dir/serial.log
	QEMU_PIDFILE=$dir/qemu.pid
	rm -f "$QEMU_QMP" "$QEMU_SERIAL" "$QEMU_PIDFILE"
	: >"$QEMU_SERIAL"
	timeout -k 5 "$QEMU_TIMEOUT" "$QEMU_BIN" -accel tcg -display none \
		-no-reboot -monitor none -serial "file:$QEMU_SERIAL" \
		-pidfile "$dir/qemu.pid" \
		-qmp "unix:$QEMU_QMP,server=on,wait=off" "$@" \
		>"$dir/qemu.out" 2>&1 &
	QEMU_PID=$!
	export QEMU_QMP QEMU_SERIAL
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$QEMU_QMP" ] && return 0
		if ! kill -0 "$QEMU_PID" 2>/dev/null; then
			qemu_log "qemu_start: QEMU exited: $(cat "$dir/qemu.out")"
			QEMU_PID=
			return 1
		fi
		sleep 0.1
	done
	qemu_log "qemu_start: no QMP socket after 10 s"
	return 1
}

qemu_wait_serial() {
	local pattern=$1 secs=${2:-60} i
	for ((i = 0; i < secs * 5; i++)); do
		grep -qE "$pattern" "$QEMU_SERIAL" 2>/dev/null && return 0
		if [ -n "$QEMU_PID" ] && ! kill -0 "$QEMU_PID" 2>/dev/null; then
			qemu_log "qemu_wait_serial: QEMU is gone"
			return 1
		fi
		sleep 0.2
	done
	qemu_log "qemu_wait_serial: '$pattern' not seen in ${secs} s"
	return 1
}

qemu_qmp() {
	python3 "$QEMU_LIB_DIR/qmp.py" "$QEMU_QMP" "$@"
}

qemu_stop() {
	[ -n "$QEMU_PID" ] || return 0
	local i
	if kill -0 "$QEMU_PID" 2>/dev/null; then
		python3 "$QEMU_LIB_DIR/qmp.py" --timeout 5 "$QEMU_QMP" quit >/dev/null 2>&1
		for ((i = 0; i < 50; i++)); do
			kill -0 "$QEMU_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$QEMU_PID" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			kill -0 "$QEMU_PID" 2>/dev/null || break
			sleep 0.1
		done
		# timeout(1) forwards TERM; KILL must reach QEMU itself.
		if [ -s "$QEMU_PIDFILE" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
			kill -KILL "$(cat "$QEMU_PIDFILE")" 2>/dev/null
		fi
		kill -KILL "$QEMU_PID" 2>/dev/null
	fi
	wait "$QEMU_PID" 2>/dev/null
	QEMU_PID=
	return 0
}
