#!/bin/sh
# hub-microvm: runs the local fleet's MicroVMs with QEMU, one directory per guest under
# $HUB_MICROVM_DIR (default /run/hub-microvms; a local fleet host's /run is its own). The hub runs
# it on a host over ssh (internal/microvm, QEMU driver): sh -c "$script" hub-microvm ACTION NAME ...
#
#   start NAME GENERATION VCPU MEM_MIB ADDR SSH_PORT USER [HOSTPORT:GUESTPORT ...]
#         authorized keys on stdin; builds the guest's initramfs, boots it, waits for its sshd
#   stop NAME         ends the guest's QEMU (SIGTERM, then SIGKILL) and waits until it is gone
#   status NAME       one line: state pid accel generation started_epoch vcpu mem
#   logs NAME LINES   the tail of the guest's serial console
#   destroy NAME      stop, then remove the guest's directory
#
# Environment: HUB_MICROVM_KERNEL (default the newest /boot/vmlinuz-*), HUB_MICROVM_ACCEL
# (auto|kvm|tcg, default auto), HUB_MICROVM_BOOT_TIMEOUT (seconds, default 90),
# HUB_MICROVM_APPEND (extra kernel command line), HUB_MICROVM_SHARES ("TAG:SRC:MOUNT:ro|rw" words),
# HUB_MICROVM_DISK_MIB and HUB_MICROVM_DISK_MOUNT (a writable volume, created sparse on first use).
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

build_initrd() {
	generation=$1 user=$2 keys=$3
	root=$dir/root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
		"$root/root" "$root/nix/.ro-store" "$root/var/log"
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
	for m in virtio_pci virtio_net virtio_rng 9pnet_virtio 9p virtio_blk ext4; do
		add_module "$m"
	done
	home=/root uid=0
	if [ "$user" != root ]; then
		home=/home/$user uid=1000
	fi
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	if [ "$uid" != 0 ]; then
		printf '%s:x:1000:1000:%s:%s:/bin/sh\n' "$user" "$user" "$home" >>"$root/etc/passwd"
		printf '%s:x:1000:\n' "$user" >>"$root/etc/group"
	fi
	printf '/bin/sh\n' >"$root/etc/shells"
	mkdir -p "$root$home/.ssh" "$root/root/.ssh"
	printf '%s\n' "$keys" >"$root$home/.ssh/authorized_keys"
	printf '%s\n' "$keys" >"$root/root/.ssh/authorized_keys"
	chmod 700 "$root$home" "$root$home/.ssh" "$root/root" "$root/root/.ssh"
	chmod 600 "$root$home/.ssh/authorized_keys" "$root/root/.ssh/authorized_keys"
	# The host key is made once per guest and kept across rebuilds, so the hub's known_hosts
	# entry for the guest stays valid (strict host key checking, as for hosts).
	if [ ! -s "$dir/hostkey" ]; then
		dropbearkey -t ed25519 -f "$dir/hostkey.new" >/dev/null 2>&1 || die "dropbearkey failed"
		mv "$dir/hostkey.new" "$dir/hostkey"
	fi
	mkdir -p "$root/etc/dropbear"
	cp "$dir/hostkey" "$root/etc/dropbear/dropbear_ed25519_host_key"
	chmod 600 "$root/etc/dropbear/dropbear_ed25519_host_key"
	printf '%s\n' "$generation" >"$root/etc/hub-generation"
	printf '%s\n' "$name" >"$root/etc/hostname"
	printf '%s\n' "${HUB_MICROVM_DISK_MOUNT:-/data}" >"$root/etc/hub-disk"
	printf '%s\n' "$uid $home" >"$root/etc/hub-user"
	: >"$root/etc/hub-shares"
	for s in ${HUB_MICROVM_SHARES:-}; do
		printf '%s %s\n' "${s%%:*}" "${s#*:}" >>"$root/etc/hub-shares"
	done
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
while read -r m; do insmod "/lib/modules/$m" || echo "hub-guest: insmod $m failed"; done </etc/modules
hostname "$(cat /etc/hostname)"
ip link set lo up
ip link set eth0 up
# QEMU's user-mode network: the guest is 10.0.2.15, the gateway 10.0.2.2.
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose store /nix/.ro-store || echo "hub-guest: no store share"
read -r uid home </etc/hub-user
while read -r tag spec; do
	mnt=$(echo "$spec" | cut -d: -f2) mode=$(echo "$spec" | cut -d: -f3)
	mkdir -p "$mnt"
	mount -t 9p -o "trans=virtio,version=9p2000.L,$mode" "$tag" "$mnt" || echo "hub-guest: share $tag failed"
done </etc/hub-shares
if [ -e /dev/vda ]; then
	mnt=$(cat /etc/hub-disk)
	mkdir -p "$mnt"
	# A new volume is empty: busybox makes ext2, which the ext4 driver mounts.
	mount -t ext4 /dev/vda "$mnt" 2>/dev/null || { mkfs.ext2 -q /dev/vda && mount -t ext4 /dev/vda "$mnt"; } || echo "hub-guest: volume failed"
fi
[ "$uid" = 0 ] || chown -R "$uid:$uid" "$home"
echo "hub-guest: $(nproc) cpus, $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB, generation $(cat /etc/hub-generation)"
/bin/dropbear -E -p 22 -r /etc/dropbear/dropbear_ed25519_host_key
echo "hub-guest: sshd started"
while true; do sleep 3600; done
INIT
	chmod 755 "$root/init"
	(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$dir/initrd.new"
	mv "$dir/initrd.new" "$dir/initrd"
	rm -rf "$root"
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
		timeout 15 qemu-system-x86_64 -M pc -accel kvm -cpu host -nodefaults -no-user-config -display none \
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
		sleep 0.2
	done
	return 1
}

launch() {
	acc=$1
	cpu=max
	[ "$acc" = kvm ] && cpu=host
	set -- -name "hub-microvm-$name" -M pc -accel "$acc" -cpu "$cpu" -smp "$vcpu" -m "$mem" \
		-nodefaults -no-user-config -display none -monitor none -no-reboot \
		-serial "file:$dir/console.log" -kernel "$kern" -initrd "$dir/initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 random.trust_cpu=on ${HUB_MICROVM_APPEND:-}" \
		-netdev "user,id=n0,hostfwd=tcp:$addr:$sshport-:22$fwds" -device virtio-net-pci,netdev=n0 \
		-fsdev local,id=store,path=/nix/store,security_model=none,readonly=on \
		-device virtio-9p-pci,fsdev=store,mount_tag=store -device virtio-rng-pci \
		-pidfile "$dir/qemu.pid" -daemonize
	for s in ${HUB_MICROVM_SHARES:-}; do
		tag=$(echo "$s" | cut -d: -f1) src=$(echo "$s" | cut -d: -f2) mode=$(echo "$s" | cut -d: -f4)
		mkdir -p "$src"
		ro=
		[ "$mode" = ro ] && ro=,readonly=on
		set -- "$@" -fsdev "local,id=$tag,path=$src,security_model=none$ro" -device "virtio-9p-pci,fsdev=$tag,mount_tag=$tag"
	done
	if [ -s "$dir/disk.size" ]; then
		[ -e "$dir/disk.img" ] || truncate -s "$(cat "$dir/disk.size")M" "$dir/disk.img"
		set -- "$@" -drive "file=$dir/disk.img,format=raw,if=virtio"
	fi
	: >"$dir/console.log"
	rm -f "$dir/qemu.pid"
	qemu-system-x86_64 "$@" 2>"$dir/qemu.err" || return 1
}

case $action in
start)
	generation=${3:?} vcpu=${4:?} mem=${5:?} addr=${6:?} sshport=${7:?} user=${8:?}
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
	mkdir -p "$dir"
	keys=$(cat)
	kern=$(kernel)
	build_initrd "$generation" "$user" "$keys"
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
		launch tcg || die "qemu did not start: $(tail -n 5 "$dir/qemu.err")"
		rc=0
		wait_sshd || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		why="QEMU exited"
		[ "$rc" = 1 ] && why="no sshd within ${HUB_MICROVM_BOOT_TIMEOUT:-90}s"
		if pid=$(running); then kill -9 "$pid" 2>/dev/null || true; fi
		echo "hub-microvm: $name did not boot ($why, $acc); console:" >&2
		tail -n 40 "$dir/console.log" >&2
		tail -n 5 "$dir/qemu.err" >&2
		exit 1
	fi
	echo "$acc" >"$dir/accel"
	echo "$generation" >"$dir/generation"
	printf '%s %s %s\n' "$vcpu" "$mem" "$sshport" >"$dir/spec"
	date +%s >"$dir/started"
	echo "running $(running) $acc $generation"
	echo "hostkey $(dropbearkey -y -f "$dir/hostkey" | grep '^ssh-')"
	;;
stop)
	if pid=$(running); then
		kill "$pid" 2>/dev/null || true
		n=0
		while [ -d "/proc/$pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		if [ -d "/proc/$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
		n=0
		while [ -d "/proc/$pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		[ -d "/proc/$pid" ] && die "qemu $pid survived SIGKILL"
	fi
	rm -f "$dir/qemu.pid"
	echo stopped
	;;
status)
	if [ ! -d "$dir" ]; then
		echo "absent - - - - - -"
	elif pid=$(running); then
		read -r vcpu mem _ <"$dir/spec"
		echo "running $pid $(cat "$dir/accel") $(cat "$dir/generation") $(cat "$dir/started") $vcpu $mem"
	else
		echo "stopped - - $(cat "$dir/generation" 2>/dev/null || echo -) - - -"
	fi
	;;
logs)
	[ -e "$dir/console.log" ] || die "no console log: the guest never started here"
	tail -n "${3:-100}" "$dir/console.log"
	;;
destroy)
	if pid=$(running); then
		kill -9 "$pid" 2>/dev/null || true
		n=0
		while [ -d "/proc/$pid" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	fi
	rm -rf "$dir"
	echo destroyed
	;;
*)
	die "unknown action $action"
	;;
esac
