# SPDX-License-Identifier: GPL-2.0-or-later
# The blk system test, shared by the four transports: drive one virtio-blk device with `vqdump blk` in a guest, check it against QMP and the disk image.
# shellcheck shell=bash
#
# Source, then call blk_init SERIAL MODS and blk_test LABEL TRANSPORT INJECT
# QEMU-ARGS..., then finish, where
#   SERIAL     the drive's serial= (at most 20 bytes)
#   MODS       extra modules for the "load" step besides virtio_blk and the
#              virtio-pci stack (virtio_mmio for microvm)
#   LABEL      names the run in the output (pci-modern, mmio1, ...)
#   TRANSPORT  the "transport" vqdump's JSON must say, as 'list' says it (pci,
#              pci-legacy, mmio), and for mmio ":V", the "mmio_version" V
#              QEMU's transport has (mmio:1 with force-legacy=true, else mmio:2)
#   INJECT     1: also run every --inject kind and expect NEEDS_RESET (only
#              meaningful where VERSION_1 is negotiated)
#   QEMU-ARGS  machine and device options; the disk must be
#              -drive file=$BLK_IMG,format=raw,if=none,id=dvblk and the
#              device id=vblk,serial=$BLK_SERIAL (blk_drive_opts prints the
#              drive part).
#
# BLK_ARGS (e.g. --packed) is added to every blk run, and BLK_LAYOUT
# (default split) is the "layout" its JSON must report.  A function
# blk_extra, when the test defines one, runs after the request checks and
# before Linux's driver is loaded (a second device's checks go there).
#
# BLK_FAULT_SECTOR=N puts the image behind QEMU's blkdebug driver, which
# fails every read covering sector N with EIO (a device error the spec does
# not expect); blk --read across it must exit 1 with the request's IOERR.
# BLK_HUGEPAGE=1 reserves one 2 MiB huge page in the guest before the first
# run: the driver then takes its DMA memory from it instead of normal pages.
#
# What one run checks, every expected value from QEMU or the image, never
# from vqdump:
#   - the guest boots with no driver loaded; the device's name comes from QMP
#   - blk --id: "id" equals the drive's serial=, "capacity" equals QMP
#     query-block's virtual size / 512, "device" and "transport" as QEMU
#     attached it
#   - blk --read of sectors 0+8 and of the last 8 sectors: the bytes (-o) are
#     the image's (sha256 against the host's copy)
#   - blk --write 2048+16 --pattern 0xa5, then --read of the range: the bytes
#     are what --pattern promises; the same for 5000+600, and a --read of
#     12000+700 gives the image's bytes (ranges the driver splits into
#     several requests: each OK, together exactly the range); --flush OK; --write-zeroes and --discard
#     OK when QEMU offers them (the zeroed range reads back as zeros)
#   - blk --negative: a read past the end gives IOERR, an unknown type UNSUPP
#   - BLK_FAULT_SECTOR: a read the drive fails is reported (IOERR), exit 1
#   - INJECT: --inject KIND leaves the device in DEVICE_NEEDS_RESET in QMP
#     (x-query-virtio-status) and in `vqdump status --json`; the next blk run
#     resets it and works (QMP shows NEEDS_RESET gone)
#   - a last blk --id works, and QMP shows the device reset (status 0), not
#     broken: it is left reusable
#   - after insmod virtio_blk: blk --write is refused with exit 3; Linux
#     reads what vqdump wrote and the image's own sectors, writes 8 sectors
#     and reads them back
#   - after power-off, on the host: the image equals the saved copy with
#     exactly the pattern, the zeroed range and Linux's 8 sectors applied
#     (any other changed sector is listed)

HERE=${HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Hard limit on the one QEMU run (live_lib.sh's default, 150 s, is for a
# shorter session): about 40 to 70 s on an idle 2-core machine, more when
# other jobs share it.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-420}
# shellcheck source-path=SCRIPTDIR source=live_lib.sh
. "$HERE/live_lib.sh"

BLK_CHK=(python3 "$HERE/blk_check.py")
BLK_SIZE=$((16 << 20))     # disk image bytes
BLK_SEED=${BLK_SEED:-20261122}
BLK_W="2048+16"            # --write range
BLK_PAT=0xa5               # --pattern
BLK_Z="3072+8"             # --write-zeroes range
BLK_D="3584+8"             # --discard range (the drive ignores discards: data stays)
BLK_BW="5000+600"          # a --write larger than one request (the driver splits it)
BLK_BPAT=0x3c
BLK_K_LBA=8192             # Linux writes 8 sectors here
BLK_K_TEXT=vqdump-kernel-write

# blk_g KEY CMDLINE: run CMDLINE in the guest, its output in $BLK_OUT/KEY.{rc,out,err}.
blk_g() {
	local key=$1
	shift
	rm -f "$BLK_OUT/$key".{rc,out,err}
	live_cmd 120 run "$key" "$*" || fatal "$BLK_LABEL: guest runs '$*'"
	"${BLK_CHK[@]}" block "$QEMU_SERIAL" "$key" "$BLK_OUT/$key" ||
		fatal "$BLK_LABEL: no output block for '$*' on the console"
}
blk_rc() { tr -d '\n' <"$BLK_OUT/$1.rc"; }
blk_get() { "${BLK_CHK[@]}" get "$BLK_OUT/$1.out" "$2"; }
# What a failed step said, for the failure line's comment.
blk_why() {
	echo "#   rc=$(blk_rc "$1"); stderr: $(head -c 300 "$BLK_OUT/$1.err" | tr '\n' ' ')"
	if grep -q '"verdict"' "$BLK_OUT/$1.out"; then
		"${BLK_CHK[@]}" why "$BLK_OUT/$1.out" | sed 's/^/#   /'
	else
		echo "#   stdout: $(head -c 600 "$BLK_OUT/$1.out" | tr '\n' ' ')"
	fi
}

# blk_vq KEY ARGS...: vqdump -d DEV blk ARGS --json in the guest.
blk_vq() {
	local key=$1
	shift
	blk_g "$key" "vqdump -d $BLK_DEV blk $* ${BLK_ARGS:-} --json"
}

# blk_expect KEY RC WHAT [SPEC...]: exit status RC and, if SPECs are given,
# exactly these requests (blk_check.py reqmatch).
blk_expect() {
	local key=$1 want=$2 what=$3
	shift 3
	if [ "$(blk_rc "$key")" != "$want" ]; then
		not_ok "$BLK_LABEL: $what: exit status $(blk_rc "$key"), expected $want"
		blk_why "$key"
		return 1
	fi
	if [ $# -gt 0 ] && ! "${BLK_CHK[@]}" reqmatch "$BLK_OUT/$key.out" "$@"; then
		not_ok "$BLK_LABEL: $what: requests (type lba count status):" \
			"$("${BLK_CHK[@]}" requests "$BLK_OUT/$key.out" | paste -sd';')," \
			"expected $(printf '%s;' "$@")"
		blk_why "$key"
		return 1
	fi
	ok "$BLK_LABEL: $what"
}

# blk_cover KEY WHAT TYPE LBA+N: exit 0 and requests of TYPE, all OK,
# covering exactly the range (blk_check.py reqcover).
blk_cover() {
	local key=$1 what=$2 type=$3 range=$4
	if [ "$(blk_rc "$key")" = 0 ] &&
		"${BLK_CHK[@]}" reqcover "$BLK_OUT/$key.out" "$type" "${range%+*}" "${range#*+}" OK; then
		ok "$BLK_LABEL: $what"
	else
		not_ok "$BLK_LABEL: $what: exit status $(blk_rc "$key"), requests (type lba count status):" \
			"$("${BLK_CHK[@]}" requests "$BLK_OUT/$key.out" | paste -sd';'), expected $type requests covering $range, all OK"
		blk_why "$key"
		return 1
	fi
}

# blk_same WHAT GOT WANT
blk_same() {
	if [ "$2" = "$3" ]; then
		ok "$BLK_LABEL: $1 ($2)"
	else
		not_ok "$BLK_LABEL: $1: got '$2', expected '$3'"
		return 1
	fi
}

# blk_read_check KEY LBA+N SHA WHAT: --read the range to a guest file and
# compare its sha256 (the guest prints it after the block) with SHA.
blk_read_check() {
	local key=$1 range=$2 want=$3 what=$4 got
	blk_vq "$key" --read "$range" -o "/tmp/$key.bin"
	blk_expect "$key" 0 "$what: --read $range completes" "IN ${range%+*} ${range#*+} OK" ||
		return 1
	got=$(tr -d '\n' <"$BLK_OUT/$key.sha")
	if [ "$got" = "$want" ]; then
		ok "$BLK_LABEL: $what: bytes read equal the expected ones"
	else
		not_ok "$BLK_LABEL: $what: sha256 of the bytes read '$got', expected $want"
		echo "#   first bytes read: $(cat "$BLK_OUT/$key.hex")"
	fi
}

# blk_qmp_status: QEMU's status byte and broken flag for the device, "0x.. broken=..".
blk_qmp_status() {
	qemu_qmp x-query-virtio-status "{\"path\": \"$BLK_PATH\"}" >"$BLK_OUT/qmp-status.json" 2>&1 &&
		"${BLK_CHK[@]}" qmp-status "$BLK_OUT/qmp-status.json"
}

# blk_wait_needs_reset SECS: poll QMP until NEEDS_RESET (0x40) is set.
blk_wait_needs_reset() {
	"${BLK_CHK[@]}" qmp-wait-status "$QEMU_QMP" "$BLK_PATH" 0x40 "$1"
}

# blk_packed_legacy: on a legacy transport blk --packed is refused before
# the device is touched: exit 2, one stderr line naming the 32 feature bits,
# nothing sent (a test's blk_extra calls it).
blk_packed_legacy() {
	blk_g pk-legacy "vqdump -d $BLK_DEV blk --packed --id --json"
	if [ "$(blk_rc pk-legacy)" = 2 ] && [ "$(wc -l <"$BLK_OUT/pk-legacy.err")" = 1 ] &&
		grep -q "^vqdump: blk: --packed: $BLK_DEV is on a legacy transport (.*32 feature bits), which cannot offer VIRTIO_F_RING_PACKED" \
			"$BLK_OUT/pk-legacy.err"; then
		ok "$BLK_LABEL: blk --packed refused on a legacy transport, exit 2: $(cat "$BLK_OUT/pk-legacy.err")"
	else
		not_ok "$BLK_LABEL: blk --packed on a legacy transport: exit $(blk_rc pk-legacy), expected 2 and one line saying it cannot offer VIRTIO_F_RING_PACKED"
		blk_why pk-legacy
	fi
	blk_same "--packed on a legacy transport: nothing sent" "$(blk_get pk-legacy requests)" "[]"
	# Bring-up begins with the reset (a status write): none, so untouched.
	blk_same "--packed on a legacy transport: no reset step (the status never written)" \
		"$(blk_get pk-legacy steps | python3 -c 'import json,sys; print(sum(s["step"] == "reset" for s in json.load(sys.stdin)))')" 0
}

blk_drive_opts() {
	if [ -n "${BLK_FAULT_SECTOR:-}" ]; then
		echo "driver=raw,file.driver=blkdebug,file.config=$TMP/blkdebug.conf,file.image.driver=file,file.image.filename=$BLK_IMG,if=none,id=dvblk,discard=ignore"
	else
		echo "file=$BLK_IMG,format=raw,if=none,id=dvblk,discard=ignore"
	fi
}

# blk_init SERIAL MODS: everything before the boot.
blk_init() {
	BLK_SERIAL=$1
	live_init
	qemu_initramfs "$TMP/initrd.gz" "$HERE/blk_guest.sh" "$2 virtio_blk" \
		"bin:$VQDUMP=/bin/vqdump" || fatal "initramfs"
	BLK_ORIG=$TMP/orig.img
	BLK_IMG=$TMP/disk.img
	if [ -n "${BLK_FAULT_SECTOR:-}" ]; then
		printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%s"\n' \
			"$BLK_FAULT_SECTOR" >"$TMP/blkdebug.conf" || fatal "blkdebug configuration"
	fi
	if ! "${BLK_CHK[@]}" mkimage "$BLK_SEED" "$BLK_SIZE" "$BLK_ORIG" ||
		! cp "$BLK_ORIG" "$BLK_IMG"; then
		fatal "disk image"
	fi
}

blk_test() {
	BLK_LABEL=$1
	local transport=$2 inject=$3 t0=$SECONDS cap size st kind vd
	shift 3
	local zeroed=0
	live_boot "$BLK_LABEL" "$TMP/initrd.gz" "$@"
	BLK_OUT=$LIVE_DIR
	ok "$BLK_LABEL: guest booted with no driver loaded ($(live_elapsed "$t0") s)"
	live_snapshot "$BLK_OUT/boot.json" || fatal "$BLK_LABEL: QMP snapshot"
	BLK_DEV=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblk transport.name) ||
		fatal "$BLK_LABEL: QEMU's name for the device: $BLK_DEV"
	BLK_PATH=$("${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblk path)
	size=$("${BLK_CHK[@]}" get "$BLK_OUT/boot.json" blocks.dvblk)
	echo "# $BLK_LABEL: device $BLK_DEV, QEMU path $BLK_PATH, drive size $size"
	if [ "${BLK_HUGEPAGE:-0}" = 1 ]; then
		# The driver takes its DMA memory from a free 2 MiB huge page
		# (one locked block) rather than normal pages: its other path.
		blk_g hugepage "echo 1 >/proc/sys/vm/nr_hugepages; grep HugePages_Free /proc/meminfo"
		grep -q 'HugePages_Free: *1' "$BLK_OUT/hugepage.out" ||
			fatal "$BLK_LABEL: one free huge page in the guest: $(cat "$BLK_OUT/hugepage.out")"
	fi
	"${BLK_CHK[@]}" snapdev "$BLK_OUT/boot.json" vblk status >"$BLK_OUT/qmp-boot-status.json"
	has() { "${BLK_CHK[@]}" qmp-has-feature "$BLK_OUT/qmp-boot-status.json" "$1"; }

	# --id: serial, capacity, device, transport.
	blk_vq id --id
	echo "# $BLK_LABEL: DMA memory: $(blk_get id steps | python3 -c 'import json,sys; print("; ".join(s["detail"] for s in json.load(sys.stdin) if s.get("step") == "dma"))' 2>/dev/null)"
	if blk_expect id 0 "--id completes" "GET_ID 0 0 OK"; then
		blk_same "--id: id is the drive's serial" "$(blk_get id id)" "$BLK_SERIAL"
		cap=$(blk_get id capacity)
		blk_same "--id: capacity in sectors is QMP's drive size / 512" "$cap" "$((size / 512))"
		blk_same "--id: device" "$(blk_get id device)" "$BLK_DEV"
		blk_same "--id: transport (list's vocabulary)" "$(blk_get id transport)" "${transport%%:*}"
		blk_same "--id: queue 0's layout${BLK_ARGS:+ with $BLK_ARGS}" "$(blk_get id layout)" "${BLK_LAYOUT:-split}"
		case $transport in
		*:*) blk_same "--id: mmio_version" "$(blk_get id mmio_version)" "${transport#*:}" ;;
		esac
	fi

	# Reads of sectors nobody wrote: the image's bytes.
	blk_read_check r-first "0+8" "$("${BLK_CHK[@]}" sha "$BLK_ORIG" 0 8)" "first 8 sectors"
	blk_read_check r-last "$((size / 512 - 8))+8" \
		"$("${BLK_CHK[@]}" sha "$BLK_ORIG" $((size / 512 - 8)) 8)" "last 8 sectors"

	# Write the pattern, read it back.
	"${BLK_CHK[@]}" pattern "$BLK_PAT" "${BLK_W#*+}" "$TMP/pattern.bin"
	blk_vq w --write "$BLK_W" --pattern "$BLK_PAT"
	blk_expect w 0 "--write $BLK_W --pattern $BLK_PAT" "OUT ${BLK_W%+*} ${BLK_W#*+} OK"
	blk_read_check r-pat "$BLK_W" "$("${BLK_CHK[@]}" sha "$TMP/pattern.bin")" "pattern written"

	# Ranges larger than one request: every piece OK, the bytes as expected.
	"${BLK_CHK[@]}" pattern "$BLK_BPAT" "${BLK_BW#*+}" "$TMP/bigpattern.bin"
	blk_vq bw --write "$BLK_BW" --pattern "$BLK_BPAT"
	blk_cover bw "--write $BLK_BW (several requests)" OUT "$BLK_BW"
	blk_vq br --read "$BLK_BW" -o /tmp/br.bin
	blk_cover br "--read $BLK_BW (several requests)" IN "$BLK_BW" &&
		blk_same "--read $BLK_BW: bytes read are the big pattern" "$(tr -d '\n' <"$BLK_OUT/br.sha")" \
			"$("${BLK_CHK[@]}" sha "$TMP/bigpattern.bin")"
	blk_vq bro --read "12000+700" -o /tmp/bro.bin
	blk_cover bro "--read 12000+700 of sectors nobody wrote (several requests)" IN "12000+700" &&
		blk_same "--read 12000+700: bytes read are the image's" "$(tr -d '\n' <"$BLK_OUT/bro.sha")" \
			"$("${BLK_CHK[@]}" sha "$BLK_ORIG" 12000 700)"

	blk_vq fl --flush
	blk_expect fl 0 "--flush" "FLUSH 0 0 OK"

	if has VIRTIO_BLK_F_WRITE_ZEROES; then
		blk_vq wz --write-zeroes "$BLK_Z"
		if blk_expect wz 0 "--write-zeroes $BLK_Z" "WRITE_ZEROES ${BLK_Z%+*} ${BLK_Z#*+} OK"; then
			zeroed=1
		fi
		"${BLK_CHK[@]}" pattern 0 "${BLK_Z#*+}" "$TMP/zero.bin"
		blk_read_check r-zero "$BLK_Z" "$("${BLK_CHK[@]}" sha "$TMP/zero.bin")" "zeroed range"
	else
		echo "# $BLK_LABEL: QEMU does not offer VIRTIO_BLK_F_WRITE_ZEROES here: not tried"
	fi
	if has VIRTIO_BLK_F_DISCARD; then
		blk_vq dc --discard "$BLK_D"
		blk_expect dc 0 "--discard $BLK_D" "DISCARD ${BLK_D%+*} ${BLK_D#*+} OK"
	else
		echo "# $BLK_LABEL: QEMU does not offer VIRTIO_BLK_F_DISCARD here: not tried"
	fi

	blk_vq neg --negative
	blk_expect neg 0 "--negative: read past the end IOERR, unknown type UNSUPP" \
		"IN $((size / 512)) 1 IOERR" "UNKNOWN * * UNSUPP"

	if [ -n "${BLK_FAULT_SECTOR:-}" ]; then
		# The drive fails every read covering this sector with EIO, so the
		# device answers IOERR where the spec expects OK: blk must say so
		# and exit 1.
		blk_vq fault --read "$((BLK_FAULT_SECTOR - 4))+8" -o /tmp/fault.bin
		blk_expect fault 1 "--read across the sector the drive fails: the device's IOERR judged wrong, exit 1" \
			"IN $((BLK_FAULT_SECTOR - 4)) 8 IOERR"
	fi

	if [ "$inject" = 1 ]; then
		for kind in ${BLK_INJECT_KINDS:-loop next-range indirect-size}; do
			blk_vq "inj-$kind" --inject "$kind"
			blk_expect "inj-$kind" 0 "--inject $kind: vqdump saw NEEDS_RESET (exit 0)"
			if st=$(blk_wait_needs_reset 15); then
				ok "$BLK_LABEL: --inject $kind: QMP status $st has NEEDS_RESET"
			else
				not_ok "$BLK_LABEL: --inject $kind: QMP status $st, no NEEDS_RESET (0x40) within 15 s"
				blk_why "inj-$kind"
				tail -n 3 "$LIVE_DIR/qemu.out" | sed 's/^/#   QEMU: /'
			fi
			blk_g "st-$kind" "vqdump -d $BLK_DEV status --json"
			local v
			v=$(blk_get "st-$kind" devices.0.status.value)
			if [ "$(blk_rc "st-$kind")" = 0 ] && [[ $v =~ ^[0-9]+$ ]] && [ $((v & 0x40)) -ne 0 ] &&
				grep -q 'NEEDS_RESET' <<<"$(blk_get "st-$kind" devices.0.status.names)"; then
				ok "$BLK_LABEL: --inject $kind: vqdump status shows NEEDS_RESET (value $v)"
			else
				not_ok "$BLK_LABEL: --inject $kind: vqdump status value $v," \
					"names $(blk_get "st-$kind" devices.0.status.names), expected bit 0x40 and NEEDS_RESET"
				blk_why "st-$kind"
			fi
			# diagnose names the broken device (issue #5's real fault).
			blk_g "dg-$kind" "vqdump diagnose --json --interval 200"
			local dg
			dg=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s/%s/%s" % (f["code"], f["severity"], f["queue"]) for f in d["findings"] if f["device"] == sys.argv[2]))
' "$BLK_OUT/dg-$kind.out" "$BLK_DEV" 2>&1)
			if [ "$(blk_rc "dg-$kind")" = 1 ] && grep -qw "DEVICE_NEEDS_RESET/error/None" <<<"$dg"; then
				ok "$BLK_LABEL: --inject $kind: diagnose exits 1 naming $BLK_DEV DEVICE_NEEDS_RESET ($dg)"
			else
				not_ok "$BLK_LABEL: --inject $kind: diagnose exit $(blk_rc "dg-$kind"), findings for $BLK_DEV: '$dg'," \
					"expected exit 1 and DEVICE_NEEDS_RESET (error, no queue)"
				blk_why "dg-$kind"
			fi
			if [ "$kind" = loop ]; then
				# The same on a snapshot of the broken device.
				blk_g "sn-$kind" "vqdump -d $BLK_DEV snapshot -o /tmp/inj.elf --interval 0"
				blk_g "sd-$kind" "vqdump --core /tmp/inj.elf diagnose --json"
				dg=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s/%s/%s" % (f["code"], f["severity"], f["queue"]) for f in d["findings"] if f["device"] == sys.argv[2]))
' "$BLK_OUT/sd-$kind.out" "$BLK_DEV" 2>&1)
				if [ "$(blk_rc "sn-$kind")" = 0 ] && [ "$(blk_rc "sd-$kind")" = 1 ] &&
					grep -qw "DEVICE_NEEDS_RESET/error/None" <<<"$dg"; then
					ok "$BLK_LABEL: --inject $kind: on a snapshot, diagnose --core names $BLK_DEV DEVICE_NEEDS_RESET"
				else
					not_ok "$BLK_LABEL: --inject $kind: snapshot exit $(blk_rc "sn-$kind"), diagnose --core exit" \
						"$(blk_rc "sd-$kind"), findings for $BLK_DEV: '$dg'"
					blk_why "sn-$kind"
					blk_why "sd-$kind"
				fi
			fi
			blk_vq "re-$kind" --id
			blk_expect "re-$kind" 0 "--inject $kind: the next blk run resets the device and works" &&
				blk_same "--inject $kind: id after the reset" "$(blk_get "re-$kind" id)" "$BLK_SERIAL"
			st=$(blk_qmp_status)
			if [ $((${st%% *} & 0x40)) -eq 0 ] && [ "${st#* }" = broken=false ]; then
				ok "$BLK_LABEL: --inject $kind: QMP status $st after the next run: reset done"
			else
				not_ok "$BLK_LABEL: --inject $kind: QMP status $st after the next run, expected no NEEDS_RESET, broken=false"
			fi
		done
	fi

	if declare -F blk_extra >/dev/null; then
		blk_extra
	fi

	# The device is left reusable: one more run after all the others.
	blk_vq again --id
	blk_expect again 0 "a last blk --id after every other run" &&
		blk_same "last --id: id" "$(blk_get again id)" "$BLK_SERIAL"
	st=$(blk_qmp_status)
	blk_same "QMP: the device is left reset (status 0) and not broken" "$st" "0x0 broken=false"

	# Linux's driver takes the device.
	live_cmd 60 load || fatal "$BLK_LABEL: guest loads virtio_blk"
	blk_g vd "vq_disk $BLK_SERIAL"
	vd=$(tr -d '\n' <"$BLK_OUT/vd.out")
	[ -n "$vd" ] || fatal "$BLK_LABEL: Linux made no disk with serial $BLK_SERIAL"
	ok "$BLK_LABEL: virtio_blk bound the device: $vd"
	blk_vq bound --write "${BLK_W%+*}+1" --pattern 0x5a
	blk_expect bound 3 "--write refused while virtio_blk is bound"
	blk_g k-pat "dd if=$vd bs=512 skip=${BLK_W%+*} count=${BLK_W#*+} iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1"
	blk_same "Linux reads the pattern vqdump wrote" "$(tr -d '\n' <"$BLK_OUT/k-pat.out")" \
		"$("${BLK_CHK[@]}" sha "$TMP/pattern.bin")"
	blk_g k-first "dd if=$vd bs=512 count=8 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1"
	blk_same "Linux reads the image's first 8 sectors" "$(tr -d '\n' <"$BLK_OUT/k-first.out")" \
		"$("${BLK_CHK[@]}" sha "$BLK_ORIG" 0 8)"
	"${BLK_CHK[@]}" text "$BLK_K_TEXT" 4096 "$TMP/kernel.bin"
	blk_g k-write "yes $BLK_K_TEXT | head -c 4096 >/tmp/kw && dd if=/tmp/kw of=$vd bs=512 seek=$BLK_K_LBA oflag=direct conv=notrunc && dd if=$vd bs=512 skip=$BLK_K_LBA count=8 iflag=direct | cmp - /tmp/kw"
	if [ "$(blk_rc k-write)" = 0 ]; then
		ok "$BLK_LABEL: Linux writes 8 sectors at $BLK_K_LBA and reads them back"
	else
		not_ok "$BLK_LABEL: Linux write and read back at $BLK_K_LBA"
		blk_why k-write
	fi

	live_shutdown
	local ops=("${BLK_W%+*}:$TMP/pattern.bin" "${BLK_BW%+*}:$TMP/bigpattern.bin" "$BLK_K_LBA:$TMP/kernel.bin")
	local writes="pattern at $BLK_W and $BLK_BW, Linux's at $BLK_K_LBA+8"
	if [ "$zeroed" = 1 ]; then
		ops+=("$BLK_Z:zero")
		writes="$writes, zeroes at $BLK_Z"
	fi
	"${BLK_CHK[@]}" expect "$BLK_ORIG" "$TMP/expected.img" "${ops[@]}" || fatal "expected image"
	if "${BLK_CHK[@]}" imgdiff "$TMP/expected.img" "$BLK_IMG" >"$BLK_OUT/imgdiff.txt"; then
		ok "$BLK_LABEL: after power-off the image holds exactly the writes ($writes), every other byte unchanged"
	else
		not_ok "$BLK_LABEL: the image after power-off is not the saved copy plus the writes ($writes)"
		sed 's/^/#   /' "$BLK_OUT/imgdiff.txt"
	fi
	echo "# $BLK_LABEL: $(live_elapsed "$t0") s"
}
