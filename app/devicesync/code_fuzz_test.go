package devicesync

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeCode feeds pairing codes as people might type them, and worse: decoding never panics, says
// ErrBadCode when it refuses, and a code it accepts encodes back to one that decodes the same.
func FuzzDecodeCode(f *testing.F) {
	good, err := encodeCode(pairingCode{host: "192.168.1.20", port: 4222, secret: "AAECAwQFBgcICQ", pin: bytes.Repeat([]byte{7}, pinLen)})
	if err != nil {
		f.Fatal(err)
	}
	named, err := encodeCode(pairingCode{host: "desk.local", port: 14222, secret: "AAECAwQFBgcICQ", pin: bytes.Repeat([]byte{9}, pinLen)})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{good, named, good[:len(good)-1], "", "ABCDE-FGHIJ", "00000-11111-88888"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		c, err := decodeCode(code)
		if err != nil {
			if !errors.Is(err, ErrBadCode) {
				t.Fatalf("decodeCode(%q) failed without ErrBadCode: %v", code, err)
			}
			return
		}
		again, err := encodeCode(c)
		if err != nil {
			t.Fatalf("decodeCode(%q) accepted a code that does not encode again: %+v: %v", code, c, err)
		}
		back, err := decodeCode(again)
		if err != nil || back.host != c.host || back.port != c.port || back.secret != c.secret || !bytes.Equal(back.pin, c.pin) {
			t.Fatalf("round trip of %q: %+v then %+v, %v", code, c, back, err)
		}
	})
}

func TestDecodeCode_Typo(t *testing.T) {
	good, err := encodeCode(pairingCode{host: "192.168.1.20", port: 4222, secret: "AAECAwQFBgcICQ", pin: bytes.Repeat([]byte{7}, pinLen)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeCode(good); err != nil {
		t.Fatalf("the code as made: %v", err)
	}
	typo := []byte(good)
	if typo[3] == 'A' {
		typo[3] = 'B'
	} else {
		typo[3] = 'A'
	}
	if _, err := decodeCode(string(typo)); !errors.Is(err, ErrBadCode) {
		t.Errorf("a code with one letter changed: %v, want ErrBadCode", err)
	}
	// Lower case, and spaces instead of dashes, are the same code.
	if _, err := decodeCode(string(bytes.ToLower(bytes.ReplaceAll([]byte(good), []byte("-"), []byte(" "))))); err != nil {
		t.Errorf("the code in lower case with spaces: %v", err)
	}
}
