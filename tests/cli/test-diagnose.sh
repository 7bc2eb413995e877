#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# diagnose on memory images: QEMU fixtures (checked against QEMU's qmp.json), hand-made rings, usage errors.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

# diag_rc NAME WANT ARGS...: run diagnose --json; keep stdout in $T/out
diag_rc() {
	local name=$1 want=$2 got
	shift 2
	"$VQDUMP" "$@" diagnose --json >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		not_ok "$name: exit $got, want $want ($(head -c 300 "$T/err"))"
		return 1
	fi
	return 0
}

# The QEMU fixtures were dumped with blk requests held by werror=stop:
# QEMU's own count of requests it fetched and holds (last-avail-idx -
# used-idx, and inuse) must be what diagnose reports, on that ring only.
for fx in tests/fixtures/*/; do
	fx=${fx%/}
	[ -f "$fx/core.elf" ] && [ -f "$fx/qmp.json" ] || continue
	name=$(basename "$fx")
	diag_rc "$name: diagnose --core exits 1" 1 --core "$fx/core.elf" || continue
	if msg=$(python3 - "$T/out" "$fx/qmp.json" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
qmp = json.load(open(sys.argv[2]))
held = {}
for dev in qmp["devices"]:
    for q in dev["queues"]:
        s = q["status"]
        if s["inuse"]:
            held[s["vring-desc"]] = (s["last-avail-idx"] - s["used-idx"]) & 0xffff, s["inuse"]
warn = [f for f in out["findings"] if f["severity"] != "info"]
bad = []
for desc, (taken, inuse) in held.items():
    hit = [f for f in warn if f.get("ring") == desc and f["code"] == "NOT_COMPLETING"]
    if not hit:
        bad.append("no NOT_COMPLETING on ring 0x%x" % desc)
        continue
    ev = hit[0]["evidence"]
    got = (ev["avail_event"] - ev["used_idx"]) & 0xffff
    if got != taken or got != inuse:
        bad.append("ring 0x%x: %d taken, QEMU says %d (inuse %d)" % (desc, got, taken, inuse))
extra = [f for f in warn if f.get("ring") not in held]
if extra:
    bad.append("warnings on rings QEMU holds nothing in: %s" % [(f["code"], f.get("ring")) for f in extra])
if not held:
    bad.append("qmp.json holds no request")
print("; ".join(bad) if bad else "rings %s" % ", ".join("0x%x" % d for d in held))
sys.exit(1 if bad else 0)
PY
	); then
		ok "$name: NOT_COMPLETING on exactly the held rings, counts as QEMU's ($msg)"
	else
		not_ok "$name: $msg"
	fi
done

# Hand-made rings in a raw image (no QEMU note: one sample proves nothing).
python3 tests/cli/mkring.py "$T/healthy.img" healthy
python3 tests/cli/mkring.py "$T/loop.img" loop
if diag_rc "raw image, one request pending: exit 0" 0 --raw "$T/healthy.img@0x10000"; then
	expect_json "raw image, one request pending: a note, no warning" \
		'[f["code"] for f in j["findings"]] == ["PENDING_AT_DUMP"] and j["findings"][0]["severity"] == "info" and j["findings"][0]["ring"] == 0x10000 and j["findings"][0]["device"] is None' \
		-- --raw "$T/healthy.img@0x10000" diagnose --json
fi
expect "raw image with a chain loop: CHAIN_LOOP, exit 1, the ring's size named" 1 \
	'ring@0x10000 \(size 8\): error CHAIN_LOOP' out -- --raw "$T/loop.img@0x10000" diagnose
# A finding names the ring's size (ring --at ... --size) and the type its
# payloads look like (mkring's healthy ring holds a blk write request).
expect_json "ring found by scan: its size and the device type its payloads suggest" \
	'[(f["size"], f["device_type_guess"]) for f in j["findings"]] == [(8, "blk")]' \
	-- --raw "$T/healthy.img@0x10000" diagnose --json
expect "text names them too" 0 'ring@0x10000 \(size 8, looks like blk\): info PENDING_AT_DUMP' out -- \
	--raw "$T/healthy.img@0x10000" diagnose -v
# A descriptor table missing from the image: inconclusive (exit 3), not a
# device problem.
python3 tests/cli/mkring.py "$T/missing.img" missing
if diag_rc "descriptor missing from the image: exit 3 (inconclusive)" 3 --raw "$T/missing.img@0x10000"; then
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if [(f["code"], f["severity"]) for f in j["findings"] if f["code"] == "DESC_UNREADABLE"] == [("DESC_UNREADABLE", "info")] and j["inconclusive"] is True else 1)' "$T/out"; then
		ok "descriptor missing from the image: DESC_UNREADABLE is a note, the result inconclusive"
	else
		not_ok "descriptor missing from the image: $(head -c 400 "$T/out")"
	fi
fi
expect "descriptor missing from the image: the text says inconclusive" 3 'inconclusive: memory the rings point at is missing' out -- \
	--raw "$T/missing.img@0x10000" diagnose
expect "text summary line" 1 '1 ring \(found by scan\) checked: 1 error' out -- \
	--raw "$T/loop.img@0x10000" diagnose

# Usage.
expect "diagnose --interval below 10 ms" 2 'interval' -- diagnose --interval 5
expect "diagnose with an argument" 2 'unexpected argument' -- diagnose foo
expect "diagnose -d on an image without device records" 2 'device records' -- \
	--raw "$T/healthy.img@0x10000" -d 0 diagnose
expect "watch on an image" 2 'running system' -- --raw "$T/healthy.img@0x10000" watch
expect "watch --count 0" 2 'count' -- watch --count 0
expect "watch --interval junk" 2 'interval' -- watch --interval 1x

echo "$n_ok passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
