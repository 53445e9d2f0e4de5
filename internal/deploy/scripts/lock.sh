# shellcheck shell=sh
# lockScript (internal/deploy/remote.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ placeholders filled with the deploy's paths on the host.
l=@lockDir@
try() { mkdir -p @stateRoot@ && mkdir "$l" 2>/dev/null && printf 'id=%s\nowner=%s\npid=%s\ntime=%s\n' "$1" "$2" "$3" "$(date +%s)" > "$l/owner"; }
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
