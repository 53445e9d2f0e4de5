# shellcheck shell=sh
# pauseScript (internal/deploy/activate.go says what it does and takes). The hub sends it without
# these leading comments, ahead of supervise.sh and wait.sh, which both wait this way.
# pause FIFO waits for the next wake-up on the fifo FIFO (made on the first call, read through
# fd 3), a second at most, so that deadlines hold when nobody writes. Its first call makes the
# fifo and returns at once: the caller looks at its files again before it blocks, and so sees a
# change that came before the fifo existed. It blocks in the shell's own read where the shell
# has a timeout for it (bash, which is NixOS's sh), else in timeout(1); with neither, or no
# mkfifo, it sleeps 0.1 s (polling).
pause_how=
pause() {
  # shellcheck disable=SC3045 # read -t only where the shell has it: exit status 1 is bash's end of file, dash refuses -t with 2
  case $pause_how in
    '')
      pause_how=poll
      if mkfifo "$1" 2>/dev/null; then
        exec 3<> "$1"
        read -r -t 1 _ < /dev/null 2>/dev/null
        if [ $? = 1 ]; then
          pause_how=builtin
        elif command -v timeout >/dev/null; then
          pause_how=timeout
        fi
      fi ;;
    builtin) read -r -t 1 _ <&3 ;;
    timeout) timeout 1 head -n 1 <&3 >/dev/null 2>&1 ;;
    *) sleep 0.1 ;;
  esac
}
# poke FIFO wakes whoever pauses on FIFO. Opened read-write, a fifo never blocks its writer,
# whether its reader is there, gone or not yet come.
poke() { [ -p "$1" ] && printf '\n' 1<> "$1"; }
# nopause closes the fifo before the caller runs what may start daemons (an activation), which
# would otherwise hold it open for good.
nopause() {
  if [ -n "$pause_how" ] && [ "$pause_how" != poll ]; then exec 3<&-; fi
  pause_how=poll
}
