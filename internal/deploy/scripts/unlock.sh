# shellcheck shell=sh
# unlockScript (internal/deploy/remote.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
l=@lockDir@ d=@stateRoot@/$1
grep -qx "id=$1" "$l/owner" 2>/dev/null || exit 0
p=; read -r p 2>/dev/null < "$d/pid"
if [ -n "$p" ] && [ ! -e "$d/done" ] && kill -0 "$p" 2>/dev/null; then
  : > "$d/unlock"
  [ -e "$d/done" ] || { echo handed-over; exit 0; }
fi
rm -rf "$l"; exit 0
