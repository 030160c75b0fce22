package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// errorSound is the pack station's refusal sound: a short, loud falling two-tone beep, so a packer
// looking at the box hears that a scan was refused. Fyne plays no audio, so the sound is made here as
// a WAV file and handed to whatever player the system has; without one the station stays silent, and
// its red message carries the refusal alone.
type errorSound struct {
	once sync.Once
	path string // the WAV file, written on first use
	err  error
}

// play plays the sound in the background; a missing player or a failure is logged, never shown.
func (s *errorSound) play(b *background) {
	run(b, func(ctx context.Context) (struct{}, error) {
		s.once.Do(func() { s.path, s.err = writeErrorSound() })
		if s.err != nil {
			return struct{}{}, s.err
		}
		argv := soundCommand(runtime.GOOS, s.path, exec.LookPath)
		if argv == nil {
			return struct{}{}, nil
		}
		if err := exec.CommandContext(ctx, argv[0], argv[1:]...).Run(); err != nil {
			return struct{}{}, fmt.Errorf("play error sound with %s: %w", argv[0], err)
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		if err != nil && !isCancelled(err) {
			log.Printf("backroom: %v", err)
		}
	})
}

// soundCommand is the command that plays a WAV file on this system, or nil when there is none.
// lookPath finds a program; tests pass their own.
func soundCommand(goos, path string, lookPath func(string) (string, error)) []string {
	switch goos {
	case "darwin":
		if p, err := lookPath("afplay"); err == nil {
			return []string{p, path}
		}
	case "windows":
		if p, err := lookPath("powershell"); err == nil {
			script := "(New-Object Media.SoundPlayer '" + strings.ReplaceAll(path, "'", "''") + "').PlaySync()"
			return []string{p, "-NoProfile", "-NonInteractive", "-Command", script}
		}
	default:
		// PulseAudio and PipeWire first: they share the device with other programs, ALSA's aplay may not.
		for _, player := range [][]string{{"paplay"}, {"pw-play"}, {"aplay", "-q"}} {
			if p, err := lookPath(player[0]); err == nil {
				return append([]string{p}, append(player[1:], path)...)
			}
		}
	}
	return nil
}

// writeErrorSound writes the sound to the user's cache folder, once per run; the file is the same
// every time, so runs and users each keep one copy.
func writeErrorSound() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "backroom")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make folder for the error sound: %w", err)
	}
	path := filepath.Join(dir, "pack-error.wav")
	wav := errorBeep()
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, wav) {
		return path, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read error sound: %w", err)
	}
	if err := os.WriteFile(path, wav, 0o644); err != nil {
		return "", fmt.Errorf("write error sound: %w", err)
	}
	return path, nil
}

// errorBeep is a 16-bit mono WAV: two falling square-wave tones, loud enough to cut through a warehouse,
// with short ramps so the speaker does not click.
func errorBeep() []byte {
	const rate = 22050
	tones := []struct {
		hz, seconds float64
	}{{988, 0.16}, {0, 0.05}, {659, 0.16}, {0, 0.05}, {440, 0.28}}
	var samples []int16
	for _, t := range tones {
		n := int(t.seconds * rate)
		ramp := rate / 200 // 5 ms
		for i := range n {
			if t.hz == 0 {
				samples = append(samples, 0)
				continue
			}
			v := 0.8
			if math.Sin(2*math.Pi*t.hz*float64(i)/rate) < 0 {
				v = -v
			}
			if i < ramp {
				v *= float64(i) / float64(ramp)
			} else if n-i < ramp {
				v *= float64(n-i) / float64(ramp)
			}
			samples = append(samples, int16(v*math.MaxInt16))
		}
	}
	var b bytes.Buffer
	dataLen := uint32(len(samples) * 2)
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, 36+dataLen)
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, struct {
		size                 uint32
		format, channels     uint16
		rate, byteRate       uint32
		blockAlign, bitDepth uint16
	}{16, 1, 1, rate, rate * 2, 2, 16})
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, dataLen)
	binary.Write(&b, binary.LittleEndian, samples)
	return b.Bytes()
}
