# shellcheck shell=sh
# launchedScript (internal/deploy/activate.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
d=@stateRoot@/$1; i=0
while [ "$i" -lt 30 ]; do
  [ -e "$d/pid" ] && exit 0
  [ -d "$d" ] || exit 1
  sleep 0.1; i=$((i + 1))
done
exit 1
