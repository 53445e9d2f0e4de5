# shellcheck shell=sh
# systemScript (internal/deploy/history.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
s=$1
printf 'kernel\t%s\n' "$(readlink -f "$s/kernel")"
for u in "$s"/etc/systemd/system/*; do
  [ -f "$u" ] || continue
  printf 'unit\t%s\t%s\n' "${u##*/}" "$(sha256sum < "$u" | cut -d' ' -f1)"
done
