# shellcheck shell=sh
# probeScript (internal/deploy/remote.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
p=@profilePath@ r=@lastFile@
if [ -n "${2:-}" ]; then
  { [ -d "${r%/*}" ] || mkdir -p "${r%/*}"; } && printf '%s\n' "$2" > "$r.tmp" && mv "$r.tmp" "$r" && echo recorded=1
fi
# links OPT NAME=PATH... prints NAME=<readlink OPT PATH> for each pair: one readlink for all of
# them when each resolves (the usual case), one per pair otherwise, so that a path that does not
# resolve still reads as empty in its own place. The paths (store and /run paths) have no blank.
links() {
  o=$1; shift
  ps=
  for a in "$@"; do ps="$ps ${a#*=}"; done
  set -f
  # shellcheck disable=SC2086 # the option and the paths are split on purpose
  out=$(readlink $o -- $ps 2>/dev/null)
  n=$#
  # shellcheck disable=SC2086 # one word per line of readlink's
  set -- "$@" $out
  set +f
  i=1
  if [ $# -eq $((2 * n)) ]; then
    while [ "$i" -le "$n" ]; do
      eval "printf '%s=%s\n' \"\${$i%%=*}\" \"\${$((i + n))}\""
      i=$((i + 1))
    done
    return
  fi
  while [ "$i" -le "$n" ]; do
    eval "a=\${$i}"
    # shellcheck disable=SC2086 # the option, split on purpose
    printf '%s=%s\n' "${a%%=*}" "$(readlink $o -- "${a#*=}" 2>/dev/null)"
    i=$((i + 1))
  done
}
if test -d /run/systemd/system; then echo systemd=1; else echo systemd=0; fi
last=; IFS= read -r last 2>/dev/null < "$r"; echo "last=$last"
links '' current=/run/current-system booted=/run/booted-system profile=$p
# The profile's system and the boot parts of the booted, the running and the new system ($1), to
# tell which of them a reboot would change.
new=${1:-}
set -- profile_path=$p
for part in kernel initrd kernel-modules systemd; do
  set -- "$@" "booted_$part=/run/booted-system/$part" "current_$part=/run/current-system/$part"
  [ -z "$new" ] || set -- "$@" "new_$part=$new/$part"
done
links -f "$@"
