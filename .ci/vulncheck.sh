#!/bin/sh
# Known-vulnerability check of Backroom's code and modules with govulncheck (make vulncheck, run by
# make test). Installs govulncheck through the Go module proxy when it is missing.
#
#   exit 0  no known vulnerability reaches our code, or the check could not run because the
#           vulnerability database (vuln.go.dev) or the proxy is out of reach: then it says so
#           plainly ("NOT CHECKED"), so an offline build still passes but nobody mistakes it for a pass
#   exit 3  govulncheck found a vulnerability our code calls: upgrade the module (go get mod@fixed)
#   other   govulncheck failed for another reason (the code does not build, say)
#
# VULNCHECK_DB overrides the database (for example file:///path/to/a/mirror).
set -u
GO=${GO:-go}
cd "$(dirname "$0")/.."

gv=$(command -v govulncheck 2>/dev/null || true)
if [ -z "$gv" ]; then
	gv="$($GO env GOPATH)/bin/govulncheck"
fi
if [ ! -x "$gv" ]; then
	echo "vulncheck: installing govulncheck (go install golang.org/x/vuln/cmd/govulncheck@latest)"
	if ! $GO install golang.org/x/vuln/cmd/govulncheck@latest; then
		echo "vulncheck: NOT CHECKED: govulncheck could not be installed (no Go module proxy?); vulnerabilities were not checked"
		exit 0
	fi
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
if [ -n "${VULNCHECK_DB:-}" ]; then
	"$gv" -db "$VULNCHECK_DB" ./... >"$out" 2>&1 || rc=$?
else
	"$gv" ./... >"$out" 2>&1 || rc=$?
fi
if [ "$rc" -ne 0 ] && grep -q 'fetching vulnerabilities' "$out"; then
	echo "vulncheck: NOT CHECKED: the vulnerability database cannot be reached; vulnerabilities were not checked:"
	sed 's/^/vulncheck:   /' "$out" | tail -3
	exit 0
fi
cat "$out"
if [ "$rc" -eq 3 ]; then
	echo "vulncheck: FAILED: known vulnerabilities reach Backroom's code (above); upgrade the modules named there"
elif [ "$rc" -ne 0 ]; then
	echo "vulncheck: FAILED: govulncheck could not check the code (exit $rc)"
else
	echo "vulncheck: ok"
fi
exit "$rc"
