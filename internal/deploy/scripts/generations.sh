# shellcheck shell=sh
# generationsScript (internal/deploy/manage.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
for l in @profilePath@-*-link; do
  [ -e "$l" ] || [ -L "$l" ] || continue
  printf 'gen\t%s\t%s\t%s\n' "$(basename "$l")" "$(stat -c %Y "$l")" "$(readlink "$l")"
done
printf 'profile\t%s\n' "$(readlink @profilePath@ 2>/dev/null)"
printf 'current\t%s\n' "$(readlink /run/current-system 2>/dev/null)"
printf 'booted\t%s\n' "$(readlink /run/booted-system 2>/dev/null)"
