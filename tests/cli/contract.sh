# The CLI checks' shared part, sourced by test_cli.sh and test_simulate_cli.sh with the
# CLI's path as $1: a failure count, and checks of a command's exit code and streams.
set -u
cli="$1"
failures=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Exit 2, nothing on stdout, exactly the expected line on stderr.
check_error() { # label, expected stderr line, command...
  local label="$1" expected="$2"; shift 2
  local stdout stderr code
  stdout=$("$@" 2>"$err"); code=$?; stderr=$(cat "$err")
  [ "$code" -eq 2 ] || fail "$label: exit $code, expected 2"
  [ -z "$stdout" ] || fail "$label: wrote to stdout: $stdout"
  [ "$stderr" = "$expected" ] || fail "$label: stderr '$stderr', expected '$expected'"
}

# A pipe into grep -q would hide the CLI's exit status: capture both, check both.
# (Mutation tried: a CLI wrapper that exits 1 after printing failed these four;
# the old `"$cli" --help | grep -q ...` lines passed it.)
check_output() { # label, text stdout must contain, command...
  local label="$1" expected="$2"; shift 2
  local stdout code
  stdout=$("$@" 2>"$err"); code=$?
  [ "$code" -eq 0 ] || fail "$label: exit $code, expected 0"
  [ ! -s "$err" ] || fail "$label: wrote to stderr: $(cat "$err")"
  [[ "$stdout" == *"$expected"* ]] || fail "$label: stdout lacks '$expected'"
}

# The count of failures is the exit status; `name` says which file passed.
finish() { # name
  [ "$failures" -eq 0 ] && echo "$1: all checks passed"
  exit "$failures"
}
