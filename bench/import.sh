#!/bin/sh
# Import benchmarks for issue 3 (marketplace spreadsheet imports), all measured in one run so the
# ratios compare like with like on a shared machine:
#
#   1. sqlite3's own ".import --csv" of the 100,000-line Shopify orders CSV into a bare table in a new
#      database file: the floor for getting those bytes into SQLite at all. Goal: backroom within 3x.
#   2. "backroom import" of the same CSV, of the same data as .xlsx, and of a 100,000-line Amazon All
#      Orders report (TSV), each into a new shop database.
#   3. "libreoffice --headless --convert-to csv" of the same .xlsx, which only converts it. Goal:
#      backroom's whole import of the workbook is faster than that conversion alone.
#   4. Peak memory (max RSS from /usr/bin/time) importing the 1,000,000-line Shopify CSV. Goal: < 150 MB,
#      and about the same as at 100,000 lines (streaming, one transaction, prepared statements).
#
# Usage: bench/import.sh            (or: make bench-import)
#   REPEAT=3     runs of each 100,000-line measurement; the table shows the median, and every run is printed
#   BIG=1000000  lines of the memory file; BIG=0 skips it
#   BENCH_CACHE  where generated files are kept (default $TMPDIR/backroom-bench/imports); they are
#                rebuilt when the generator's source changes
set -eu

cd "$(dirname "$0")/.."
GO=${GO:-go}
REPEAT=${REPEAT:-3}
LINES=${LINES:-100000}
BIG=${BIG:-1000000}
CACHE=${BENCH_CACHE:-${TMPDIR:-/tmp}/backroom-bench/imports}
mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/backroom-import-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench-import: $1 is required ($2)" >&2; exit 1; }; }
need sqlite3 "apt-get install sqlite3"
[ -x /usr/bin/time ] || { echo "bench-import: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }

echo "== building backroom and the generator"
CGO_ENABLED=1 $GO build -o "$WORK/backroom" .
$GO build -o "$WORK/genimport" ./bench/genimport

# Generated files are reused while the generator is unchanged: the 1,000,000-line CSV is 450 MB.
stamp=$(cat bench/genimport/*.go | sha256sum | cut -c1-12)
if [ "$(cat "$CACHE/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$CACHE"/*.csv "$CACHE"/*.xlsx "$CACHE"/*.txt
	echo "$stamp" >"$CACHE/stamp"
fi
gen() { # gen FORMAT LINES FILE
	if [ ! -s "$CACHE/$3" ]; then
		echo "   generating $3 ($2 lines)"
		"$WORK/genimport" -format "$1" -lines "$2" -o "$CACHE/$3.tmp"
		mv "$CACHE/$3.tmp" "$CACHE/$3"
	fi
}
echo "== files in $CACHE"
gen shopify-csv "$LINES" "shopify_$LINES.csv"
gen shopify-xlsx "$LINES" "shopify_$LINES.xlsx"
gen amazon-tsv "$LINES" "amazon_$LINES.txt"
gen shopify-xlsx 10 warmup.xlsx
[ "$BIG" -gt 0 ] && gen shopify-csv "$BIG" "shopify_$BIG.csv"
ls -l "$CACHE" | sed 1d | grep -v ' stamp$' | awk '{printf "   %-28s %6.1f MB\n", $NF, $5/1048576}'

# A new shop: "import" writes into an existing database, so the template is a shop with one SKU.
"$WORK/backroom" --db "$WORK/template.db" products add --sku BENCH-0 --name "Bench product" --currency USD >/dev/null

# measure NAME RUN# COMMAND...: runs the command under /usr/bin/time, appends "name seconds maxrss_kb ok"
# to $WORK/results and prints the run.
measure() {
	name=$1 run=$2
	shift 2
	status=ok
	/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || status=failed
	set -- $(tail -n 1 "$WORK/time")
	printf "   %-26s run %s: %7.2f s  %7.1f MB peak RSS  %s\n" "$name" "$run" "$1" "$(echo "$2" | awk '{print $1/1024}')" "$status"
	if [ "$status" != ok ]; then sed 's/^/      | /' "$WORK/out" | head -n 5; fi
	echo "$name $1 $2 $status" >>"$WORK/results"
}
fresh_db() { rm -f "$WORK"/run.db*; cp "$WORK/template.db" "$WORK/run.db"; }

LO=""
if command -v libreoffice >/dev/null 2>&1; then
	LO=libreoffice
else
	echo "== libreoffice is missing; installing libreoffice-calc (no GUI)"
	if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
	if $sudo env DEBIAN_FRONTEND=noninteractive apt-get -y install --no-install-recommends libreoffice-calc-nogui >/dev/null 2>&1 ||
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y install --no-install-recommends libreoffice-calc >/dev/null 2>&1; then
		LO=libreoffice
	else
		echo "   could not install LibreOffice: the xlsx comparison is skipped"
	fi
fi
if [ -n "$LO" ]; then
	# A private profile, created by a warm-up conversion, so no run pays for LibreOffice's first start.
	LO_PROFILE="-env:UserInstallation=file://$WORK/lo-profile"
	$LO "$LO_PROFILE" --headless --convert-to csv --outdir "$WORK/lo" "$CACHE/warmup.xlsx" >/dev/null 2>&1 || true
fi

: >"$WORK/results"
echo "== measuring ($REPEAT runs each, interleaved)"
i=1
while [ "$i" -le "$REPEAT" ]; do
	rm -f "$WORK"/bare.db*
	measure sqlite3-import-csv "$i" sqlite3 "$WORK/bare.db" ".import --csv $CACHE/shopify_$LINES.csv orders"
	fresh_db
	measure backroom-csv "$i" "$WORK/backroom" --db "$WORK/run.db" import --no-backup "$CACHE/shopify_$LINES.csv"
	fresh_db
	measure backroom-xlsx "$i" "$WORK/backroom" --db "$WORK/run.db" import --no-backup "$CACHE/shopify_$LINES.xlsx"
	fresh_db
	measure backroom-amazon-tsv "$i" "$WORK/backroom" --db "$WORK/run.db" import --no-backup "$CACHE/amazon_$LINES.txt"
	if [ -n "$LO" ]; then
		rm -rf "$WORK/lo"
		measure libreoffice-xlsx-to-csv "$i" $LO "$LO_PROFILE" --headless --convert-to csv --outdir "$WORK/lo" "$CACHE/shopify_$LINES.xlsx"
	fi
	i=$((i + 1))
done
rows=$(sqlite3 "$WORK/bare.db" "SELECT count(*) FROM orders")
echo "   sqlite3 bare table: $rows rows"
fresh_db
"$WORK/backroom" --db "$WORK/run.db" import --no-backup "$CACHE/shopify_$LINES.csv" | sed 's/^/   backroom: /'

if [ "$BIG" -gt 0 ]; then
	echo "== peak memory, $BIG lines (one run)"
	fresh_db
	measure "backroom-csv-$BIG" 1 "$WORK/backroom" --db "$WORK/run.db" import --no-backup "$CACHE/shopify_$BIG.csv"
	sed 's/^/   backroom: /' "$WORK/out"
fi

echo
echo "== results (median of $REPEAT runs; 2-core machine, other work may be running: compare within this run)"
awk -v lines="$LINES" -v big="$BIG" '
	{ n[$1]++; t[$1, n[$1]] = $2; m[$1, n[$1]] = $3; if ($4 != "ok") bad[$1] = 1; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	function median(a, name, c,   i, j, x, v) {
		for (i = 1; i <= c; i++) v[i] = a[name, i]
		for (i = 2; i <= c; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
		return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
	}
	END {
		for (i = 1; i <= k; i++) { name = order[i]; T[name] = median(t, name, n[name]); M[name] = median(m, name, n[name]) }
		printf "%-26s %10s %12s %12s  %s\n", "measurement", "seconds", "lines/s", "peak RSS MB", "note"
		for (i = 1; i <= k; i++) {
			name = order[i]; l = (name ~ big "$" && big > 0) ? big : lines
			note = bad[name] ? "FAILED (see above)" : ""
			if (name ~ /^backroom-(csv|amazon)/ && name !~ big "$" && ("sqlite3-import-csv" in T))
				note = note sprintf("%.1fx sqlite3 .import (goal <= 3x)", T[name] / T["sqlite3-import-csv"])
			if (name == "backroom-xlsx" && ("libreoffice-xlsx-to-csv" in T))
				note = note sprintf("%.2fx libreoffice convert (goal < 1x)", T[name] / T["libreoffice-xlsx-to-csv"])
			if (name ~ big "$" && big > 0)
				note = note sprintf("peak RSS %.0f MB (goal < 150 MB)", M[name] / 1024)
			printf "%-26s %10.2f %12.0f %12.1f  %s\n", name, T[name], l / T[name], M[name] / 1024, note
		}
	}' "$WORK/results"
