# shellcheck shell=sh
# startScript (internal/deploy/activate.go says what it does and takes). The hub sends it without
# these leading comments, its @name@ fields filled with the deploy's paths on the host.
d=@stateRoot@/$1
# Keep the ten newest finished deploys' directories (their logs, for deploy:status and a look
# after the fact); older finished ones go. Unfinished ones stay whatever their age.
# Counted with a function's arguments first: listing and sorting them costs three processes,
# which only more than ten directories need.
count() { n=$#; }
count @stateRoot@/*/
if [ "$n" -gt 10 ]; then
  ls -1dt @stateRoot@/*/ 2>/dev/null | tail -n +11 | while read -r old; do [ -e "$old/done" ] && rm -rf "$old"; done
fi
mkdir -p "$d" && cat > "$d/supervise.sh" || exit 1
# Its last line, whole: an upload cut short lacks it or has only part of it.
grep -qxF '@superviseEnd@' "$d/supervise.sh" ||
  { echo "the supervisor upload was cut short" >&2; exit 1; }
shift
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
  exec systemd-run --unit="hub-deploy-${d##*/}" --collect --quiet --setenv=PATH="$PATH" sh "$d/supervise.sh" "$d" "$@"
fi
setsid -f sh "$d/supervise.sh" "$d" "$@" </dev/null >"$d/supervisor.log" 2>&1
