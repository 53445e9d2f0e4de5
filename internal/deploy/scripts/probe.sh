# shellcheck shell=sh
# probeScript (internal/deploy/remote.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ placeholders filled with the deploy's paths on the host.
p=@profilePath@ r=@lastFile@
if [ -n "${2:-}" ]; then
  { [ -d "${r%/*}" ] || mkdir -p "${r%/*}"; } && printf '%s\n' "$2" > "$r.tmp" && mv "$r.tmp" "$r" && echo recorded=1
fi
echo "current=$(readlink /run/current-system 2>/dev/null)"
echo "booted=$(readlink /run/booted-system 2>/dev/null)"
echo "profile=$(readlink $p 2>/dev/null)"
echo "profile_path=$(readlink -f $p 2>/dev/null)"
if test -d /run/systemd/system; then echo systemd=1; else echo systemd=0; fi
last=; IFS= read -r last 2>/dev/null < "$r"; echo "last=$last"
# parts NAME SYSTEM prints NAME_<part>=<resolved path> for the system's boot parts: one
# readlink for all four when each resolves (the usual case), one per part otherwise, so that a
# part that does not resolve still reads as empty in its own place.
parts() {
  r=$(readlink -f -- "$2/kernel" "$2/initrd" "$2/kernel-modules" "$2/systemd" 2>/dev/null)
  ifs=$IFS; IFS='
'
  set -f
  # shellcheck disable=SC2086 # split into its lines on purpose (store paths have no newline)
  set -- "$1" "$2" $r
  set +f; IFS=$ifs
  if [ $# -eq 6 ]; then
    printf '%s_kernel=%s\n%s_initrd=%s\n%s_kernel-modules=%s\n%s_systemd=%s\n' "$1" "$3" "$1" "$4" "$1" "$5" "$1" "$6"
    return
  fi
  for f in kernel initrd kernel-modules systemd; do echo "$1_$f=$(readlink -f "$2/$f" 2>/dev/null)"; done
}
parts booted /run/booted-system
parts current /run/current-system
if [ -n "${1:-}" ]; then parts new "$1"; fi
