package cli

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzParseFlags feeds arbitrary command lines to the interleaving flag parser: it must never panic,
// every positional it returns must be one of the arguments, and a numeric argument such as -3 is
// always kept as a positional.
func FuzzParseFlags(f *testing.F) {
	for _, seed := range []string{
		"SKU -3 --reason broken", "--reason=x SKU +5", "-- --json", "--limit", "--limit 5 --json -2.5",
		"--json=false SKU", "-", "--", "---x", "--reason", "--db=/tmp/x.db stock list",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		fs := flag.NewFlagSet("stock adjust", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("reason", "", "")
		fs.Bool("json", false, "")
		fs.Int("limit", 0, "")
		pos, err := parseFlags(fs, args)
		if err != nil {
			return
		}
		for _, p := range pos {
			if !slices.Contains(args, p) {
				t.Fatalf("parseFlags(%q) returned positional %q that is not an argument", args, p)
			}
		}
		if !slices.Contains(args, "--") {
			for i, a := range args {
				if isNumber(a) && (i == 0 || !takesValue(fs, args[i-1])) && !slices.Contains(pos, a) {
					t.Fatalf("parseFlags(%q) dropped the number %q", args, a)
				}
			}
		}
	})
}
