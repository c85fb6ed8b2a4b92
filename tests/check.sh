# check.sh — the assertion the shell test scripts share (bash; source it).
#   check NAME EXPECTED ACTUAL  count a pass, or print what differs: both
#                               values inline, or a diff when multi-line
#   check_summary LABEL         print "LABEL: N passed, M failed"; status 0
#                               only if nothing failed
pass=0 fail=0
check() {
  if [ "$2" = "$3" ]; then pass=$((pass+1)); echo "ok: $1"; return 0; fi
  fail=$((fail+1))
  case "$2$3" in
    *$'\n'*) echo "FAIL: $1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20 ;;
    *) echo "FAIL: $1: expected [$2], got [$3]" ;;
  esac
}
check_summary() {
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
