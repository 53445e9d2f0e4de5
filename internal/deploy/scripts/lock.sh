# shellcheck shell=sh
# lockScript (internal/deploy/remote.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
l=@lockDir@
# The boot space check ($8 MiB free, 0: none) rides along: a /boot too full for the new boot
# entry refuses the deploy (exit 5) before the lock is taken.
if [ "${8:-0}" -gt 0 ]; then
  if mountpoint -q /boot 2>/dev/null; then
    free=$(df --output=avail -B1M /boot | tail -n 1); free=${free#"${free%%[! ]*}"}
    echo "boot_free=$free"
    case $free in '' | *[!0-9]*) exit 5 ;; esac
    [ "$free" -ge "$8" ] || exit 5
  else
    echo "boot_free=none"
  fi
fi
try() { { [ -d @stateRoot@ ] || mkdir -p @stateRoot@; } && mkdir "$l" 2>/dev/null && printf 'id=%s\nowner=%s\npid=%s\ntime=%s\n' "$1" "$2" "$3" "$(date +%s)" > "$l/owner"; }
try "$@" && { echo acquired; exit 0; }
cat "$l/owner" 2>/dev/null
t=$(sed -n 's/^time=//p' "$l/owner" 2>/dev/null); t=${t:-0}
id=$(sed -n 's/^id=//p' "$l/owner" 2>/dev/null)
sup=$(cat "@stateRoot@/$id/pid" 2>/dev/null || true)
alive=0
if [ -n "$sup" ] && [ ! -e "@stateRoot@/$id/done" ] && kill -0 "$sup" 2>/dev/null; then alive=1; fi
echo "supervisor_alive=$alive"
echo "age=$(( $(date +%s) - t ))"
if [ "$6" = 1 ] && [ "$alive" = 0 ] && [ $(( $(date +%s) - t )) -ge "$5" ]; then
  rm -rf "$l" && try "$@" && { echo "broke-stale"; exit 0; }
fi
# Only the holder that was proved gone: the lock may have changed hands since it was read.
if [ "$6" = gone ] && [ "$alive" = 0 ] && grep -qx "id=$7" "$l/owner" 2>/dev/null; then
  rm -rf "$l" && try "$@" && { echo "broke-gone"; exit 0; }
fi
exit 3
