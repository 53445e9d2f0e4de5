# shellcheck shell=sh
# waitScript (internal/deploy/activate.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
d=@stateRoot@/$1 sig=$2 val=$3; shift 3
# The signal (confirm, commit) rides on the wait for its answer: one session instead of two. It
# goes only to a supervisor that has not ended; one that has is answered by the files below.
if [ "$sig" != - ] && [ -d "$d" ] && [ ! -e "$d/done" ]; then
  printf '%s\n' "$val" > "$d/$sig.tmp" && mv "$d/$sig.tmp" "$d/$sig" || exit 3
  # The watchdog blocks on its fifo between its checks (supervise.sh): wake it.
  poke "$d/wake"
fi
# pause (pause.sh) blocks on this wait's own fifo, which the supervisor writes a line to on every
# change of state: within a second a supervisor that died is noticed too.
while :; do
  # /run does not survive a reboot: a missing directory means the host restarted (or /run was
  # cleared) and the supervisor with it.
  [ -d "$d" ] || { echo "supervisor=gone"; echo "boot-id-now=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"; exit 0; }
  for f in "$@"; do [ -e "$d/$f" ] && break 2; done
  # read, not $(cat ...): this runs every tick, and a command substitution forks twice.
  p=; read -r p 2>/dev/null < "$d/pid"
  [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && [ ! -e "$d/done" ] && { echo "supervisor=dead"; break; }
  pause "$d/w.$$"
done
[ -p "$d/w.$$" ] && rm -f "$d/w.$$"
for f in status confirmed committing result rolled-back rolling-back fell-back prev-generation prev-system boot-id; do
  [ -e "$d/$f" ] && { v=; IFS= read -r v 2>/dev/null < "$d/$f"; echo "$f=$v"; }
done
# The activation's output rides along, saving a round trip to fetch it.
tail -n 40 "$d/activate.log" 2>/dev/null | sed 's/^/log:/'
exit 0
