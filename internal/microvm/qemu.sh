#!/bin/sh
# hub-microvm: runs the local fleet's MicroVMs with QEMU, one directory per guest under
# $HUB_MICROVM_DIR (default /run/hub-microvms; a local fleet host's /run is its own). The hub runs
# it on a host over ssh (internal/microvm, QEMU driver): sh -c "$script" hub-microvm ACTION NAME ...
#
#   start NAME GENERATION SYSTEM VCPU MEM_MIB ADDR SSH_PORT [HOSTPORT:GUESTPORT ...]
#         SYSTEM is the guest's toplevel in this host's store (internal/microvm builds it from
#         guest.nix); builds the initramfs (stage 1), boots the system, waits for its sshd
#   install NAME GENERATION SYSTEM   makes SYSTEM the guest's current one without booting it
#   stop NAME         ends the guest's QEMU (SIGTERM, then SIGKILL) and waits until it is gone
#   status NAME       one line: state pid accel generation started_epoch vcpu mem system
#   logs NAME LINES   the tail of the guest's serial console
#   destroy NAME      stop, then remove the guest's directory
#
# Environment: HUB_MICROVM_KERNEL (default the newest /boot/vmlinuz-*), HUB_MICROVM_ACCEL
# (auto|kvm|tcg, default auto), HUB_MICROVM_BOOT_TIMEOUT (seconds, default 90),
# HUB_MICROVM_APPEND (extra kernel command line), HUB_MICROVM_SHARES ("TAG:SRC:MOUNT:ro|rw" words),
# HUB_MICROVM_DISK_MIB (a writable volume, created sparse on first use; the system mounts it),
# HUB_MICROVM_BUILD_ROOT (the GC root of the guest's newest build, which destroy removes).
#
# The directory has microvm.nix's links: current (the system installed, what a restart boots) and
# booted (the system QEMU runs, there exactly while it runs: the supervisor that waits for QEMU
# removes it when QEMU exits, as microvm@NAME.service's postStop does), each a GC root through
# /nix/var/nix/gcroots/microvm/. hub-nixos-exporter's microvm collector reads booted.
set -eu

base=${HUB_MICROVM_DIR:-/run/hub-microvms}
action=${1:?usage: hub-microvm start|stop|status|logs|destroy NAME ...}
name=${2:?missing guest name}
dir=$base/$name
case $name in
*/* | .* | '') echo "hub-microvm: bad guest name $name" >&2; exit 2 ;;
esac

die() { echo "hub-microvm: $name: $*" >&2; exit 1; }

# running prints the pid of the guest's QEMU when it is alive and is that guest's QEMU.
running() {
	[ -s "$dir/qemu.pid" ] || return 1
	pid=$(cat "$dir/qemu.pid")
	[ -d "/proc/$pid" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-name hub-microvm-$name " || return 1
	echo "$pid"
}

kernel() {
	k=${HUB_MICROVM_KERNEL:-}
	if [ -z "$k" ]; then
		# The newest installed kernel; its modules come from /lib/modules/<version>.
		k=$(for f in /boot/vmlinuz-*; do [ -e "$f" ] && echo "$f"; done | sort -V | tail -n 1)
	fi
	if [ -z "$k" ] || [ ! -r "$k" ]; then die "no guest kernel: install linux-image-amd64 (go tool mage test:parallel installs it) or set HUB_MICROVM_KERNEL"; fi
	echo "$k"
}

# copy_binary copies a program and the shared libraries ldd names into the initramfs root.
copy_binary() {
	mkdir -p "$root$(dirname "$2")"
	cp "$1" "$root$2"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# add_module copies a kernel module and what modules.dep says it needs, dependencies first, into
# the initramfs and appends them to its load order.
add_module() {
	line=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n 1) || true
	[ -n "$line" ] || return 0 # built in
	deps=${line#*:}
	for d in $(echo "$deps" | tr ' ' '\n' | sed '/^$/d' | awk '{a[NR]=$0} END {for (i = NR; i > 0; i--) print a[i]}'); do
		add_path "$d"
	done
	add_path "${line%%:*}"
}

add_path() {
	grep -qxF "$1" "$root/etc/modules" 2>/dev/null && return 0
	mkdir -p "$root/lib/modules/$(dirname "$1")"
	cp "$moddir/$1" "$root/lib/modules/$1"
	echo "$1" >>"$root/etc/modules"
}

# build_initrd makes stage 1: busybox, dropbear and its libraries, the kernel's virtio-mmio, net,
# 9p, rng, blk and ext4 modules, and the guest's host key. Everything else comes from the system
# it boots.
build_initrd() {
	root=$dir/root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
		"$root/root" "$root/home" "$root/nix/.ro-store" "$root/nix/store" "$root/var/log"
	: >"$root/etc/modules"
	bb=$(command -v busybox) || die "busybox not found: install busybox-static"
	cp "$bb" "$root/bin/busybox"
	db=$(command -v dropbear || true)
	[ -n "$db" ] || { [ -x /usr/sbin/dropbear ] && db=/usr/sbin/dropbear; } || true
	[ -n "$db" ] || die "dropbear not found: install dropbear-bin"
	command -v dropbearkey >/dev/null || die "dropbearkey not found: install dropbear-bin"
	copy_binary "$db" /bin/dropbear
	version=$(basename "$kern" | sed 's/^vmlinuz-//')
	moddir=/lib/modules/$version
	[ -r "$moddir/modules.dep" ] || die "no modules for kernel $version in $moddir"
	# virtio_rng: without a source of entropy the guest's first getrandom() (sshd's key exchange)
	# blocks for a minute or more under TCG.
	# virtio_mmio: the microvm machine's transport (no PCI); Debian builds it as a module.
	for m in virtio_mmio virtio_net virtio_rng 9pnet_virtio 9p virtio_blk ext4; do
		add_module "$m"
	done
	# The host key is made once per guest and kept across rebuilds, so the hub's known_hosts
	# entry for the guest stays valid (strict host key checking, as for hosts). A secret: it
	# stays out of the store, which every guest of the host can read.
	if [ ! -s "$dir/hostkey" ]; then
		dropbearkey -t ed25519 -f "$dir/hostkey.new" >/dev/null 2>&1 || die "dropbearkey failed"
		mv "$dir/hostkey.new" "$dir/hostkey"
	fi
	mkdir -p "$root/etc/dropbear"
	cp "$dir/hostkey" "$root/etc/dropbear/dropbear_ed25519_host_key"
	chmod 600 "$root/etc/dropbear/dropbear_ed25519_host_key"
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
# Stage 1: modules, the host's store, then the system's init (init= on the kernel command line).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
while read -r m; do insmod "/lib/modules/$m" || echo "hub-guest: insmod $m failed"; done </etc/modules
# microvm.nix's layout: the host's store read-only at /nix/.ro-store, /nix/store on top of it.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose store /nix/.ro-store || echo "hub-guest: no store share"
mount -o bind /nix/.ro-store /nix/store
init=
for o in $(cat /proc/cmdline); do
	case $o in init=*) init=${o#init=} ;; esac
done
if [ -z "$init" ] || [ ! -x "$init" ]; then
	echo "hub-guest: stage 1: no system to boot (init=$init)"
	exit 1
fi
echo "hub-guest: stage 1: starting $init"
exec "$init"
INIT
	chmod 755 "$root/init"
	(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$dir/initrd.new"
	mv "$dir/initrd.new" "$dir/initrd"
	rm -rf "$root"
}

# machine is QEMU's microvm, as microvm.nix's runner uses: no PCI, virtio-mmio devices. ACPI stays
# on because its tables are how Debian's kernel finds those devices (its virtio_mmio has no
# CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES, so the virtio_mmio.device= words QEMU adds with acpi=off
# register nothing). See docs/microvm.md.
machine=microvm

# timer_params prints what the kernel needs under accelerator $1 to know its TSC's frequency.
# microvm's ACPI tables describe no HPET or PM timer, so the kernel's only reference is the PIT,
# and under TCG on a loaded machine that calibration fails more often than not ("tsc: Unable to
# calibrate against PIT", then "Marking TSC unstable" and a hang). Under TCG the guest's TSC is
# the host's, so tsc_early_khz is the host's TSC frequency: HUB_MICROVM_TSC_KHZ, else what this
# kernel measured (dmesg), else /proc/cpuinfo's "cpu MHz". KVM tells the guest itself (kvmclock).
timer_params() {
	[ "$1" = tcg ] || return 0
	khz=${HUB_MICROVM_TSC_KHZ:-}
	if [ -z "$khz" ]; then
		mhz=$(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p; s/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1)
		[ -n "$mhz" ] || mhz=$(sed -n 's/^cpu MHz[[:space:]]*: *\([0-9.]*\).*/\1/p' /proc/cpuinfo | head -n 1)
		[ -n "$mhz" ] && khz=$(awk -v m="$mhz" 'BEGIN { printf "%d", m * 1000 }')
	fi
	[ -z "$khz" ] || echo "tsc_early_khz=$khz"
}

# accel decides KVM or TCG once per machine (the verdict is cached in $accel_file): /dev/kvm
# usable and the guest kernel printing its banner under KVM within 15 s. On some machines KVM
# starts but fails to set MSRs (-cpu host) or hangs silently (kvm64), so only a boot tells.
accel_file=${HUB_MICROVM_ACCEL_FILE:-/var/tmp/hub-microvm-accel}
accel() {
	want=${HUB_MICROVM_ACCEL:-auto}
	case $want in
	kvm | tcg) echo "$want"; return ;;
	esac
	if [ -s "$accel_file" ]; then cat "$accel_file"; return; fi
	result=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		probe=$(mktemp -d)
		timeout 15 qemu-system-x86_64 -M "$machine" -accel kvm -cpu host -nodefaults -no-user-config -display none \
			-monitor none -m 64 -no-reboot -serial "file:$probe/console" -kernel "$kern" \
			-append "console=ttyS0 panic=-1 rdinit=/hub-probe-none" >"$probe/err" 2>&1 || true
		grep -q "Linux version" "$probe/console" && result=kvm
		{ echo "kvm probe: $(head -c 300 "$probe/err" | tr '\n' ' ')"; } >>"$base/accel.log" 2>/dev/null || true
		rm -rf "$probe"
	fi
	echo "$result" >"$accel_file.new" && mv "$accel_file.new" "$accel_file"
	echo "$result"
}

wait_sshd() {
	deadline=$(($(date +%s) + ${HUB_MICROVM_BOOT_TIMEOUT:-90}))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		running >/dev/null || return 2
		if grep -q "hub-guest: sshd started" "$dir/console.log" 2>/dev/null; then
			return 0
		fi
		# A panicked kernel reboots (panic=-1), and -no-reboot should end QEMU then; on
		# -M microvm under TCG it once did not (the console showed the panic, then the firmware
		# again), so the panic itself is the failure, not the QEMU exit that may not follow.
		if grep -q "Kernel panic - not syncing" "$dir/console.log" 2>/dev/null; then
			return 3
		fi
		sleep 0.2
	done
	return 1
}

# supervised ends when the guest's supervisor (the shell waiting for its QEMU) is gone.
supervised() {
	[ -s "$dir/supervisor.pid" ] || return 1
	spid=$(cat "$dir/supervisor.pid")
	[ -d "/proc/$spid" ] || return 1
	tr '\0' ' ' <"/proc/$spid/cmdline" 2>/dev/null | grep -q -- "-name hub-microvm-$name " || return 1
}

# wait_gone waits up to 5 s for the guest's QEMU ($1) and its supervisor to end.
wait_gone() {
	n=0
	while { [ -d "/proc/$1" ] || supervised; } && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	! [ -d "/proc/$1" ]
}

launch() {
	acc=$1
	cpu=max
	[ "$acc" = kvm ] && cpu=host
	set -- -name "hub-microvm-$name" -M "$machine" -accel "$acc" -cpu "$cpu" -smp "$vcpu" -m "$mem" \
		-nodefaults -no-user-config -display none -monitor none -no-reboot \
		-serial "file:$dir/console.log" -kernel "$kern" -initrd "$dir/initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 random.trust_cpu=on $(timer_params "$acc") $(cat "$system/kernel-params") ${HUB_MICROVM_APPEND:-}" \
		-netdev "user,id=n0,hostfwd=tcp:$addr:$sshport-:22$fwds" -device virtio-net-device,netdev=n0 \
		-fsdev local,id=store,path=/nix/store,security_model=none,readonly=on \
		-device virtio-9p-device,fsdev=store,mount_tag=store -device virtio-rng-device \
		-pidfile "$dir/qemu.pid"
	for s in ${HUB_MICROVM_SHARES:-}; do
		tag=$(echo "$s" | cut -d: -f1) src=$(echo "$s" | cut -d: -f2) mode=$(echo "$s" | cut -d: -f4)
		mkdir -p "$src"
		ro=
		[ "$mode" = ro ] && ro=,readonly=on
		set -- "$@" -fsdev "local,id=$tag,path=$src,security_model=none$ro" -device "virtio-9p-device,fsdev=$tag,mount_tag=$tag"
	done
	if [ -s "$dir/disk.size" ]; then
		[ -e "$dir/disk.img" ] || truncate -s "$(cat "$dir/disk.size")M" "$dir/disk.img"
		set -- "$@" -drive "id=vol,file=$dir/disk.img,format=raw,if=none" -device virtio-blk-device,drive=vol
	fi
	: >"$dir/console.log"
	rm -f "$dir/qemu.pid"
	ln -sfn "$system" "$dir/booted"
	mkdir -p /nix/var/nix/gcroots/microvm
	ln -sfn "$dir/booted" "/nix/var/nix/gcroots/microvm/booted-$name"
	# The supervisor is microvm@NAME.service here: it outlives this ssh session (its own session,
	# no descriptor of ours) and removes the booted link when QEMU exits, for whatever reason.
	# shellcheck disable=SC2016 # expanded by the supervisor's shell
	setsid sh -c 'd=$1; shift; qemu-system-x86_64 "$@" 2>"$d/qemu.err"; rm -f "$d/booted"' sh "$dir" "$@" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$dir/supervisor.pid"
	# QEMU writes its pid file once the machine is set up; an error ends it (and its supervisor).
	# Alive, not supervised: until setsid has exec'd, the supervisor's pid still has this shell's
	# command line, and supervised would call a starting QEMU a failed one.
	spid=$!
	n=0
	while [ ! -s "$dir/qemu.pid" ]; do
		[ -d "/proc/$spid" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$spid/status" 2>/dev/null || return 1
		n=$((n + 1))
		[ $n -lt 300 ] || return 1
		sleep 0.1
	done
}

# install makes $system the guest's current system (install-microvm-NAME's job): what a restart
# boots, a GC root as long as the guest exists.
install() {
	if [ ! -x "$system/init" ] || [ ! -r "$system/kernel-params" ]; then
		die "$system is not a guest system (no init, no kernel-params)"
	fi
	mkdir -p "$dir" /nix/var/nix/gcroots/microvm
	ln -sfn "$system" "$dir/current"
	ln -sfn "$dir/current" "/nix/var/nix/gcroots/microvm/$name"
	echo "$generation" >"$dir/generation"
}

case $action in
install)
	generation=${3:?} system=${4:?}
	install
	echo installed
	;;
start)
	generation=${3:?} system=${4:?} vcpu=${5:?} mem=${6:?} addr=${7:?} sshport=${8:?}
	shift 8
	fwds=
	for p in "$@"; do
		fwds="$fwds,hostfwd=tcp:$addr:${p%%:*}-:${p#*:}"
	done
	if pid=$(running); then
		echo "running $pid $(cat "$dir/accel") $(cat "$dir/generation")"
		echo "hostkey $(dropbearkey -y -f "$dir/hostkey" | grep '^ssh-')"
		exit 0
	fi
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86"
	install
	kern=$(kernel)
	build_initrd
	if [ "${HUB_MICROVM_DISK_MIB:-0}" -gt 0 ]; then
		echo "$HUB_MICROVM_DISK_MIB" >"$dir/disk.size"
	else
		rm -f "$dir/disk.size" "$dir/disk.img"
	fi
	acc=$(accel)
	launch "$acc" || die "qemu did not start: $(tail -n 5 "$dir/qemu.err")"
	rc=0
	wait_sshd || rc=$?
	if [ "$rc" = 2 ] && [ "$acc" = kvm ] && [ "${HUB_MICROVM_ACCEL:-auto}" = auto ]; then
		# KVM started but the guest died at once (MSRs, nested virtualization): TCG from now on.
		echo tcg >"$accel_file"
		acc=tcg
		wait_gone 0 || true
		launch tcg || die "qemu did not start: $(tail -n 5 "$dir/qemu.err")"
		rc=0
		wait_sshd || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		why="QEMU exited"
		[ "$rc" = 1 ] && why="no sshd within ${HUB_MICROVM_BOOT_TIMEOUT:-90}s"
		[ "$rc" = 3 ] && why="the guest's kernel panicked"
		if pid=$(running); then
			kill -9 "$pid" 2>/dev/null || true
			wait_gone "$pid" || true
		fi
		rm -f "$dir/booted"
		echo "hub-microvm: $name did not boot ($why, $acc); console:" >&2
		tail -n 40 "$dir/console.log" >&2
		tail -n 5 "$dir/qemu.err" >&2
		exit 1
	fi
	echo "$acc" >"$dir/accel"
	printf '%s %s %s\n' "$vcpu" "$mem" "$sshport" >"$dir/spec"
	date +%s >"$dir/started"
	echo "running $(running) $acc $generation"
	echo "hostkey $(dropbearkey -y -f "$dir/hostkey" | grep '^ssh-')"
	;;
stop)
	if pid=$(running); then
		kill "$pid" 2>/dev/null || true
		if ! wait_gone "$pid"; then
			kill -9 "$pid" 2>/dev/null || true
			wait_gone "$pid" || die "qemu $pid survived SIGKILL"
		fi
	fi
	rm -f "$dir/qemu.pid" "$dir/booted"
	echo stopped
	;;
status)
	system=$(readlink "$dir/current" 2>/dev/null || echo -)
	if [ ! -d "$dir" ]; then
		echo "absent - - - - - - -"
	elif pid=$(running); then
		read -r vcpu mem _ <"$dir/spec"
		echo "running $pid $(cat "$dir/accel") $(cat "$dir/generation") $(cat "$dir/started") $vcpu $mem $(readlink "$dir/booted" || echo -)"
	else
		echo "stopped - - $(cat "$dir/generation" 2>/dev/null || echo -) - - - $system"
	fi
	;;
logs)
	[ -e "$dir/console.log" ] || die "no console log: the guest never started here"
	tail -n "${3:-100}" "$dir/console.log"
	;;
destroy)
	if pid=$(running); then
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" || true
	fi
	rm -rf "$dir"
	rm -f "/nix/var/nix/gcroots/microvm/$name" "/nix/var/nix/gcroots/microvm/booted-$name"
	[ -z "${HUB_MICROVM_BUILD_ROOT:-}" ] || rm -f "$HUB_MICROVM_BUILD_ROOT"
	echo destroyed
	;;
*)
	die "unknown action $action"
	;;
esac
