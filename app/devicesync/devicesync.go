// Package devicesync moves a shop's changes between its devices through a NATS JetStream hub.
//
// Every device keeps its own SQLite database and records each change to shared data as an op (package
// data). One always-on machine also hosts the hub: an embedded nats-server with JetStream, holding the
// stream SHOP_OPS on subjects ops.<shop>.<device>. A Device publishes its unsent ops with the op id as the
// message id and marks them sent once the hub acknowledged them; it reads the stream with an ordered
// consumer from the position after the last one it applied, and applies each batch together with the new
// position in one transaction. Both halves are idempotent (data skips ops it holds), so a crash anywhere,
// a hub restart or a duplicated delivery costs a resend, never a double count; nothing relies on the
// server's short deduplication window.
//
// The hub speaks TLS only, with a self-signed certificate made once and kept in the host's database.
// Devices pin that certificate when they pair instead of trusting a certificate authority: the pairing
// code carries a fingerprint of it, so a device never talks to an impostor even the first time. Each
// device has its own hub password, checked against the host database's registry on every connection,
// and may publish only on its own subject. A pairing code's one-time secret is also a hub password, for
// an account that may only ask the hub to pair.
package devicesync

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/backroom-app/backroom/data"
)

// The stream and subjects every device and the hub agree on.
const (
	streamName  = "SHOP_OPS"
	pairSubject = "backroom.pair"
	pairUser    = "pair"
	hubUser     = "backroom-hub" // the hub's own in-process connection
	defaultPort = 4222
	// codeLifetime is how long a pairing code works: long enough to walk to the other machine.
	codeLifetime = 15 * time.Minute
)

// Errors a caller can tell apart with errors.Is; the wrapped message says which hub or code.
var (
	// ErrUnreachable means no connection to the hub could be made.
	ErrUnreachable = errors.New("hub unreachable")
	// ErrCertMismatch means the machine answering is not the hub this device paired with.
	ErrCertMismatch = errors.New("the hub's certificate does not match the one this device paired with")
	// ErrBadCode means a pairing code could not be read: mistyped, or not a Backroom code.
	ErrBadCode = errors.New("not a valid pairing code")
	// ErrNotPaired means this database has not joined a shop's hub yet.
	ErrNotPaired = errors.New("this device is not paired with a hub")
)

func opsSubject(shop, device string) string { return "ops." + shop + "." + device }

// inboxPrefix gives each device replies of its own, so no device may listen to another's (a pairing
// reply carries a password).
func inboxPrefix(user string) string { return "_INBOX_" + user }

// randomText returns n random bytes as unpadded URL-safe base64.
func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// newShopID names a new shop: random hex, safe as a subject token.
func newShopID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b)
}

// newIdentity makes the hub's self-signed certificate. Devices pin it rather than check names, so it
// needs no host names and outlives any address change; it lasts 20 years because replacing it means
// pairing every device again.
func newIdentity() (data.HubIdentity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return data.HubIdentity{}, fmt.Errorf("make key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return data.HubIdentity{}, fmt.Errorf("make serial number: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Backroom sync hub", Organization: []string{"Backroom"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"backroom-hub"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return data.HubIdentity{}, fmt.Errorf("make certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return data.HubIdentity{}, fmt.Errorf("encode key: %w", err)
	}
	return data.HubIdentity{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}, nil
}

// certDER returns the DER bytes of the first certificate in certPEM.
func certDER(certPEM string) ([]byte, error) {
	b, _ := pem.Decode([]byte(certPEM))
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no certificate in the hub's PEM")
	}
	return b.Bytes, nil
}

func fingerprint(der []byte) []byte {
	sum := sha256.Sum256(der)
	return sum[:]
}

// pinnedTLS is a client configuration that trusts exactly one certificate: the one whose SHA-256 starts
// with pin (a pairing code carries a shortened fingerprint; a paired device holds the whole certificate).
// Names and authorities are not checked: the pin is stronger than either on a shop's LAN, where the hub
// is reached by an IP address that may change. mismatch records that a handshake failed on the pin,
// because the client library flattens the handshake error into text.
func pinnedTLS(pin []byte, mismatch *atomic.Bool) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection's pin check below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 && len(pin) >= 16 {
				got := fingerprint(cs.PeerCertificates[0].Raw)
				if subtle.ConstantTimeCompare(got[:len(pin)], pin) == 1 {
					return nil
				}
			}
			if mismatch != nil {
				mismatch.Store(true)
			}
			return ErrCertMismatch
		},
	}
}

// The pairing code is what a person types on the joining device, so it is short for what it carries:
// the hub's address and port, a one-time secret and the first 16 bytes of the hub certificate's
// SHA-256, in base32 and groups of five. The secret is 10 random bytes (80 bits): it works once and for
// 15 minutes, and the hub only hears it over TLS.
const (
	codeVersion = 1
	secretLen   = 10
	pinLen      = 16
	addrIPv4    = 4
	addrIPv6    = 6
	addrName    = 'h'
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// codeCheckLen is the length of the check on the end of a pairing code.
const codeCheckLen = 2

// pairingCode is what a code holds.
type pairingCode struct {
	host   string
	port   int
	secret string // the secret's base64 text: the pairing account's password
	pin    []byte
}

func (c pairingCode) hubURL() string {
	return "tls://" + net.JoinHostPort(c.host, strconv.Itoa(c.port))
}

func encodeCode(c pairingCode) (string, error) {
	secret, err := base64.RawURLEncoding.DecodeString(c.secret)
	if err != nil || len(secret) != secretLen {
		return "", errors.New("pairing secret is not 10 bytes")
	}
	if len(c.pin) < pinLen || c.port <= 0 || c.port > 65535 {
		return "", errors.New("pairing code needs a certificate fingerprint and a port")
	}
	var b bytes.Buffer
	b.WriteByte(codeVersion)
	b.Write(secret)
	b.Write(c.pin[:pinLen])
	_ = binary.Write(&b, binary.BigEndian, uint16(c.port))
	ip := net.ParseIP(c.host)
	switch {
	case ip != nil && ip.To4() != nil:
		b.WriteByte(addrIPv4)
		b.Write(ip.To4())
	case ip != nil:
		b.WriteByte(addrIPv6)
		b.Write(ip.To16())
	default:
		if c.host == "" || len(c.host) > 200 {
			return "", fmt.Errorf("hub address %q cannot go in a pairing code", c.host)
		}
		b.WriteByte(addrName)
		b.WriteString(c.host)
	}
	// A check on the end tells a mistyped code from a hub that refuses it.
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:codeCheckLen])
	text := codeEncoding.EncodeToString(b.Bytes())
	var out strings.Builder
	for i := 0; i < len(text); i += 5 {
		if i > 0 {
			out.WriteByte('-')
		}
		out.WriteString(text[i:min(i+5, len(text))])
	}
	return out.String(), nil
}

func decodeCode(code string) (pairingCode, error) {
	// People mistype: dashes and spaces are decoration, case does not matter, and the digits base32
	// leaves out are read as the letters they look like.
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return -1
		case r == '0':
			return 'O'
		case r == '1':
			return 'I'
		case r == '8':
			return 'B'
		}
		return r
	}, strings.ToUpper(code))
	raw, err := codeEncoding.DecodeString(clean)
	if err != nil {
		return pairingCode{}, fmt.Errorf("%w: it has letters that are not in pairing codes", ErrBadCode)
	}
	head := 1 + secretLen + pinLen + 2 + 1
	if len(raw) < head+codeCheckLen || raw[0] != codeVersion {
		return pairingCode{}, fmt.Errorf("%w: it is too short or from another version of Backroom", ErrBadCode)
	}
	body, check := raw[:len(raw)-codeCheckLen], raw[len(raw)-codeCheckLen:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:codeCheckLen], check) {
		return pairingCode{}, fmt.Errorf("%w: a character is wrong or missing; type it again as the hub shows it", ErrBadCode)
	}
	raw = body
	c := pairingCode{
		secret: base64.RawURLEncoding.EncodeToString(raw[1 : 1+secretLen]),
		pin:    append([]byte(nil), raw[1+secretLen:1+secretLen+pinLen]...),
		port:   int(binary.BigEndian.Uint16(raw[1+secretLen+pinLen:])),
	}
	kind, addr := raw[head-1], raw[head:]
	switch {
	case kind == addrIPv4 && len(addr) == 4, kind == addrIPv6 && len(addr) == 16:
		c.host = net.IP(addr).String()
	case kind == addrName && len(addr) > 0:
		c.host = string(addr)
	default:
		return pairingCode{}, fmt.Errorf("%w: its hub address is damaged", ErrBadCode)
	}
	if c.port == 0 {
		return pairingCode{}, fmt.Errorf("%w: its hub port is damaged", ErrBadCode)
	}
	return c, nil
}

// lanAddress is the address other machines on the shop's network most likely reach this one at: the
// first private IPv4 address of an interface that is up, else any non-loopback IPv4 one, else loopback.
func lanAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	var fallback string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil {
				continue
			}
			if ipn.IP.IsPrivate() {
				return ipn.IP.String()
			}
			if fallback == "" && ipn.IP.IsGlobalUnicast() {
				fallback = ipn.IP.String()
			}
		}
	}
	if fallback != "" {
		return fallback
	}
	return "127.0.0.1"
}

// splitListen reads a HubConfig.Listen address; port -1 asks for any free port (tests).
func splitListen(listen string) (string, int, error) {
	if listen == "" {
		return "", defaultPort, nil
	}
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("hub listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("hub listen address %q: the port is not a number from 1 to 65535", listen)
	}
	if port == 0 {
		port = defaultPort
	}
	return host, port, nil
}

func joinHostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }
