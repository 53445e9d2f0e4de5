# shellcheck shell=sh
# rescueScript (internal/deploy/activate.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
d=@stateRoot@/$1
[ -e "$d/supervise.sh" ] && [ ! -e "$d/done" ] || exit 3
rm -f "$d/pid"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
  systemd-run --unit="hub-deploy-${d##*/}-rescue" --collect --quiet --setenv=PATH="$PATH" sh "$d/supervise.sh" "$d" rescue || exit
else
  setsid -f sh "$d/supervise.sh" "$d" rescue </dev/null >>"$d/supervisor.log" 2>&1
fi
i=0
until [ -s "$d/pid" ] || [ -e "$d/done" ]; do
  i=$((i+1)); [ "$i" -le 300 ] || { echo "the rescue supervisor did not start within 30 s" >&2; exit 4; }
  sleep 0.1
done
