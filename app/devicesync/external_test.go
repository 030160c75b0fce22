package devicesync

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/backroom-app/backroom/data"
)

// testCA makes a certificate authority and a server certificate it signs for 127.0.0.1.
func testCA(t *testing.T) (caPEM string, serverCert tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Shop test CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "nats"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

// natsServer runs a plain NATS server with JetStream, as a shop's administrator would, with an account
// per device.
func natsServer(t *testing.T, cert tls.Certificate, users ...string) string {
	t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
		TLS: true, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	for _, u := range users {
		opts.Users = append(opts.Users, &server.User{Username: u, Password: u + "-secret"})
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(ns.Shutdown)
	return "tls://127.0.0.1:" + strconv.Itoa(ns.Addr().(*net.TCPAddr).Port)
}

// TestConnectServer: a shop keeps its log on a NATS server of its own. The laptop, which holds the
// shop, connects first and founds it; the desk connects with the shop's id and receives it; their
// changes then meet as through the embedded hub. A device that does not trust the server's authority,
// or that holds a shop of its own, is refused.
func TestConnectServer(t *testing.T) {
	ctx := context.Background()
	caPEM, cert := testCA(t)
	url := natsServer(t, cert, "laptop", "desk", "stranger")
	laptop := openStore(t, 0)
	mustVariant(t, laptop, "MUG", 1800)
	mustAdjust(t, laptop, "MUG", 10)
	res, err := ConnectServer(ctx, laptop, ServerConfig{URL: url, User: "laptop", Password: "laptop-secret", CAPEM: caPEM, DeviceName: "Laptop"})
	if err != nil {
		t.Fatalf("ConnectServer(laptop): %v", err)
	}
	if !res.Founding || res.ShopID == "" {
		t.Fatalf("the laptop's connection = %+v, want it to found a new shop", res)
	}
	desk := openStore(t, 0)
	if _, err := ConnectServer(ctx, desk, ServerConfig{URL: url, ShopID: res.ShopID, User: "desk", Password: "desk-secret", CAPEM: caPEM,
		DeviceName: "Desk"}); err != nil {
		t.Fatalf("ConnectServer(desk): %v", err)
	}
	syncAll(t, laptop, desk)
	mustAdjust(t, desk, "MUG", -3)
	mustAdjust(t, laptop, "MUG", -1)
	syncAll(t, laptop, desk)
	requireSameDumps(t, laptop, desk)
	if got := onHand(t, desk, "MUG"); got != 6 {
		t.Errorf("MUG on the desk = %d, want 10-3-1 = 6", got)
	}

	stranger := openStore(t, 0)
	otherCA, _ := testCA(t)
	if _, err := ConnectServer(ctx, stranger, ServerConfig{URL: url, ShopID: res.ShopID, User: "stranger", Password: "stranger-secret",
		CAPEM: otherCA}); err == nil {
		t.Error("a device trusting another authority connected")
	}
	mustVariant(t, stranger, "CUP", 900)
	_, err = ConnectServer(ctx, stranger, ServerConfig{URL: url, ShopID: res.ShopID, User: "stranger", Password: "stranger-secret", CAPEM: caPEM})
	if !errors.Is(err, data.ErrShopNotEmpty) {
		t.Errorf("a database with a shop of its own joining: %v, want ErrShopNotEmpty", err)
	}
	if _, err := ConnectServer(ctx, openStore(t, 0), ServerConfig{URL: "nats://127.0.0.1:4222", User: "x"}); err == nil {
		t.Error("a server address without tls:// was taken")
	}
}
