#!/usr/bin/env bash
# Long fuzz run: every Fuzz target in the module, one at a time, at the lowest
# CPU priority so interactive builds and tests on the same machine win.
#
# Usage: bench/fuzz-long.sh [LOG]
#   FUZZTIME   per-target fuzz time (default 10m)
#   STOP_AT    optional UTC time (e.g. 05:50); a target is only started when it
#              can finish before then, so a session's deadline is respected
#   PRIORITY   optional file of target names (one per line) to run first
#   ONLY       optional target name: run just that one (to repeat a target after a fix)
#
# The target list is re-read after each run, so targets added while the run is
# going are picked up. Each target's duration, exec count and new interesting
# inputs are appended to LOG (default /tmp/fuzz-long.log). A crasher is left
# where go test writes it (pkg/testdata/fuzz/FuzzX/...) and named in the log.
set -u
cd "$(dirname "$0")/.."
LOG=${1:-/tmp/fuzz-long.log}
FUZZTIME=${FUZZTIME:-10m}
GO=${GO:-go}
PRIORITY=${PRIORITY:-}

secs() { # 10m / 90s / 1h -> seconds
	case "$1" in
	*h) echo $(( ${1%h} * 3600 )) ;; *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;; *) echo "$1" ;;
	esac
}
budget=$(( $(secs "$FUZZTIME") + 120 )) # fuzz time plus a generous compile
stop=0
if [ -n "${STOP_AT:-}" ]; then stop=$(date -u -d "$STOP_AT" +%s); fi

targets() { # "pkgdir Name" lines, priority names first
	grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . |
		sed -E 's#^\./(.*)/[^/]*_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u >/tmp/fuzz-long.$$.all
	if [ -n "$PRIORITY" ] && [ -r "$PRIORITY" ]; then
		while read -r name; do [ -n "$name" ] && grep " $name\$" /tmp/fuzz-long.$$.all; done <"$PRIORITY"
	fi
	cat /tmp/fuzz-long.$$.all
}
chosen() { # the targets to run: all of them, or just ONLY
	if [ -n "${ONLY:-}" ]; then targets | grep " ${ONLY}\$" | head -1; else targets; fi
}

declare -A done_
echo "# fuzz-long start $(date -u +%FT%TZ) fuzztime=$FUZZTIME stop_at=${STOP_AT:-none} commit=$(git rev-parse --short HEAD 2>/dev/null)" >>"$LOG"
while :; do
	next=""
	while read -r pkg name; do
		[ -n "${done_[$pkg $name]:-}" ] && continue
		next="$pkg $name"; break
	done < <(chosen)
	[ -z "$next" ] && break
	now=$(date -u +%s)
	if [ "$stop" -gt 0 ] && [ $(( now + budget )) -gt "$stop" ]; then
		echo "# stop: no time left for $next before $STOP_AT" >>"$LOG"; break
	fi
	set -- $next; pkg=$1; name=$2
	done_[$pkg $name]=1
	out=/tmp/fuzz-long.$$.$name.out
	start=$(date -u +%s)
	nice -n 19 "$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -parallel 1 "./$pkg" >"$out" 2>&1
	rc=$?
	end=$(date -u +%s)
	last=$(grep -E 'fuzz: elapsed:' "$out" | tail -1)
	execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
	newi=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
	total=$(sed -nE 's/.*\(total: ([0-9]+)\).*/\1/p' <<<"$last")
	elapsed=$(sed -nE 's/.*elapsed: ([0-9hms.]+),.*/\1/p' <<<"$last")
	status=ok; [ $rc -ne 0 ] && status="FAIL(rc=$rc)"
	printf '%s %s %-28s wall=%ss fuzz_elapsed=%s execs=%s new_interesting=%s corpus_total=%s %s\n' \
		"$(date -u -d @"$start" +%FT%TZ)" "$pkg" "$name" $(( end - start )) "${elapsed:-?}" "${execs:-?}" "${newi:-?}" "${total:-?}" "$status" >>"$LOG"
	if [ $rc -ne 0 ]; then
		grep -E 'Failing input written to|--- FAIL|panic:|testdata/fuzz' "$out" | head -5 | sed 's/^/#   /' >>"$LOG"
		cp "$out" "$(dirname "$LOG")/fuzz-long.fail.$name.out"
	fi
	rm -f "$out"
done
rm -f /tmp/fuzz-long.$$.all
echo "# fuzz-long end $(date -u +%FT%TZ)" >>"$LOG"
