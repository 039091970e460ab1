# Cairn's step supervisor: runs the job's steps one at a time, each in a process group of its own, and marks on
# stdout where each begins and how it ends. The marker prefix holds a nonce no step ever sees.
D=@PROGRAMS@
W=@WORKSPACE@
G=@GRACE@
if [ "${1:-}" != resumed ]; then
  # Start over without the nonce in the environment: the one this process began with stays readable in /proc.
  c_n="${CAIRN_STEP_NONCE:-}"
  unset CAIRN_STEP_NONCE
  c_exe=$(readlink "/proc/$$/exe" 2>/dev/null) || c_exe=''
  case "$c_exe" in
    */busybox*) exec "$c_exe" sh "$0" resumed <<CAIRN_NONCE
$c_n
CAIRN_NONCE
    ;;
    */sh|*/dash|*/bash|*/ash|*/ksh|*/mksh) exec "$c_exe" "$0" resumed <<CAIRN_NONCE
$c_n
CAIRN_NONCE
    ;;
    *) exec /bin/sh "$0" resumed <<CAIRN_NONCE
$c_n
CAIRN_NONCE
    ;;
  esac
fi
IFS= read -r c_n || c_n=''
exec 0</dev/null
P="##cairn:$c_n:"
unset c_n c_exe
cd "$W" || { echo "cairn: cannot enter $W" >&2; exit 1; }
if command -v setsid >/dev/null 2>&1; then S=1; else S=0; fi
if command -v bash >/dev/null 2>&1; then set -- bash --noprofile --norc -eo pipefail; else set -- sh -e; fi

# Every process below $1, from /proc (used when there is no setsid to give a step a group of its own).
c_kids() {
  k_all=$(for k_f in /proc/[0-9]*/stat; do
    { read -r k_s < "$k_f"; } 2>/dev/null || continue
    k_p=${k_f#/proc/}; k_r=${k_s##*) }; echo "${k_p%/stat} ${k_r#? }"
  done)
  k_out='' k_next=$1
  while [ -n "$k_next" ]; do
    k_cur=$k_next k_next=''
    for k_q in $k_cur; do
      k_new=$(echo "$k_all" | while read -r k_a k_b k_rest; do [ "$k_b" = "$k_q" ] && echo "$k_a"; done)
      k_next="$k_next $k_new"; k_out="$k_out $k_new"
    done
    k_next=$(echo $k_next)
  done
  echo $k_out
}

# Sends signal $1 to the step whose first process is $2 and to everything it started.
c_sig() {
  if [ "$S" = 1 ]; then kill -s "$1" -- "-$2" 2>/dev/null; else kill -s "$1" $(c_kids "$2") "$2" 2>/dev/null; fi
  return 0
}

# In the background: after $1 seconds, signal $2 to step $3; exits 0 only when it did.
c_watch() {
  (
    trap 'kill "$w_s" 2>/dev/null; exit 1' TERM
    sleep "$1" & w_s=$!
    wait "$w_s"
    trap '' TERM
    c_sig "$2" "$3"
    exit 0
  ) &
}

# How many times the container's memory limit has killed a process (cgroup v2, else v1).
c_oom() {
  for o_f in /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control; do
    if [ -r "$o_f" ]; then
      while read -r o_k o_v; do
        if [ "$o_k" = oom_kill ]; then echo "$o_v"; return 0; fi
      done < "$o_f"
    fi
  done
  echo 0
}

c_stop() {
  if [ -n "$cur" ]; then
    [ -n "$w1" ] && kill "$w1" "$w2" 2>/dev/null
    c_sig TERM "$pid"
    c_watch "$G" KILL "$pid"; w3=$!
    wait "$pid" 2>/dev/null
    kill "$w3" 2>/dev/null
    wait "$w3" 2>/dev/null
    c_sig KILL "$pid"
    echo "${P}term:$cur"
  fi
  exit 143
}

failed=0 cur='' pid='' w1='' w2=''
trap c_stop TERM
while read -r i mode t <&3; do
  case "$mode" in
    always) go=1 ;;
    success) if [ "$failed" = 0 ]; then go=1; else go=0; fi ;;
    failure) if [ "$failed" = 1 ]; then go=1; else go=0; fi ;;
    invalid) go=0; failed=1 ;;
    *) go=0 ;;
  esac
  if [ "$go" = 0 ]; then
    echo "${P}skip:$i"
    continue
  fi

  before=$(c_oom)
  echo "${P}start:$i"
  w1='' w2=''
  if [ "$S" = 1 ]; then
    setsid "$@" "$D/step-$i.sh" </dev/null 3<&- 2>&1 &
  else
    "$@" "$D/step-$i.sh" </dev/null 3<&- 2>&1 &
  fi
  pid=$!
  cur=$i
  if [ "$t" -gt 0 ]; then
    c_watch "$t" TERM "$pid"; w1=$!
    c_watch $((t + G)) KILL "$pid"; w2=$!
  fi
  wait "$pid" 2>/dev/null
  code=$?
  timed=0
  if [ -n "$w1" ]; then
    kill "$w1" 2>/dev/null
    if wait "$w1" 2>/dev/null; then timed=1; c_sig KILL "$pid"; fi
    kill "$w2" 2>/dev/null
    wait "$w2" 2>/dev/null
  fi
  cur=''
  after=$(c_oom)
  if [ "$timed" = 1 ]; then
    echo "${P}timeout:$i"
    failed=1
  elif [ "$after" != "$before" ]; then
    echo "${P}oom:$i:$code"
    failed=1
  else
    echo "${P}end:$i:$code"
    [ "$code" = 0 ] || failed=1
  fi
done 3< "$D/steps"
echo "${P}done"
exit "$failed"
