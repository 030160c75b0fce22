#!/bin/sh
# Order e-mail sync benchmark for issue 4, measured in one run so the ratio compares like with like on
# a shared machine (details in bench/mailbench/main.go and BENCHMARKS.md):
#
#   1. mbsync (isync) copies a 10,000-message INBOX from a local Dovecot into a new Maildir.
#   2. "backroom mail sync" reads the same INBOX into a new shop database: fetch, parse, store.
#      Goal: within 2x of mbsync.
#   3. The same sync again with no new mail. Goal: under 200 ms.
#
# Dovecot runs from testdata/dovecot/dovecot.conf on a free loopback port, as in the integration tests.
#
# Usage: bench/mail.sh            (or: make bench-mail)
#   MESSAGES=10000   messages in the mailbox
#   REPEAT=3         runs of each measurement; the table shows the median, and every run is printed
#   SYNC=path        the backroom binary to measure (default: built from this checkout)
set -eu

cd "$(dirname "$0")/.."
GO=${GO:-go}
MESSAGES=${MESSAGES:-10000}
REPEAT=${REPEAT:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/backroom-mail-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

# install PACKAGE COMMAND: apt-get installs the Debian package when the command is missing.
install() {
	command -v "$2" >/dev/null 2>&1 && return 0
	[ -x "/usr/sbin/$2" ] && return 0 # dovecot, outside an ordinary user's PATH
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "bench-mail: $2 is required (Debian package $1)" >&2
		exit 1
	fi
	if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
	echo "== installing $1"
	$sudo apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$1"
}
install dovecot-imapd dovecot
install isync mbsync

echo "== building"
if [ -z "${SYNC:-}" ]; then
	CGO_ENABLED=1 $GO build -o "$WORK/backroom" .
	SYNC="$WORK/backroom"
fi
$GO build -o "$WORK/mailbench" ./bench/mailbench
echo "   measuring $SYNC; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   Dovecot $(PATH="$PATH:/usr/sbin" dovecot --version | cut -d' ' -f1), $(mbsync --version)"

"$WORK/mailbench" -messages "$MESSAGES" -repeat "$REPEAT" -backroom "$SYNC" -work "$WORK"
