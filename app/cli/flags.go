package cli

import (
	"flag"
	"io"
	"strings"
)

// parseFlags parses args with fs and returns the positional arguments. Unlike fs.Parse it lets flags
// and positional arguments come in any order ("stock adjust --reason x SKU -3"), and it reads a negative
// number such as -3 as a positional argument, not as a flag. "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if !looksLikeFlag(a) {
			pos = append(pos, a)
			continue
		}
		seg := []string{a}
		if takesValue(fs, a) && i+1 < len(args) {
			i++
			seg = append(seg, args[i])
		}
		if err := fs.Parse(seg); err != nil {
			return nil, err
		}
	}
	return pos, nil
}

// splitCommand parses the global flags before the command and returns the command and its arguments.
func splitCommand(fs *flag.FlagSet, args []string) (rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args[i+1:], nil
		}
		if !looksLikeFlag(a) {
			return args[i:], nil
		}
		seg := []string{a}
		if takesValue(fs, a) && i+1 < len(args) {
			i++
			seg = append(seg, args[i])
		}
		if err := fs.Parse(seg); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func looksLikeFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && !isNumber(a)
}

// isNumber reports whether a is a signed decimal number such as -3, +5 or -2.5.
func isNumber(a string) bool {
	a = strings.TrimLeft(a, "+-")
	whole, frac, hasFrac := strings.Cut(a, ".")
	if whole == "" || hasFrac && frac == "" {
		return false
	}
	return strings.Trim(whole+frac, "0123456789") == ""
}

// takesValue reports whether the flag a is defined and needs the next argument as its value.
func takesValue(fs *flag.FlagSet, a string) bool {
	name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
	f := fs.Lookup(name)
	if f == nil || hasValue {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// listFlag is a flag that may be given several times (--barcode A --barcode B).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// prefixWriter starts every line with prefix, so the flag package's messages read like ours
// ("backroom: stock list: flag provided but not defined: -x").
type prefixWriter struct {
	w       io.Writer
	prefix  string
	midLine bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.midLine {
			out = append(out, p.prefix...)
			p.midLine = true
		}
		out = append(out, c)
		if c == '\n' {
			p.midLine = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
