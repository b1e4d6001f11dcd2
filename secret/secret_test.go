package secret

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	for _, form := range []string{base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw), strings.Repeat("07", KeySize)} {
		k, err := ParseKey(form)
		if err != nil {
			t.Fatalf("ParseKey(%q): %v", form, err)
		}
		sealed := k.Seal([]byte("xoxb-123-secret"), "T1")
		if bytes.Contains(sealed, []byte("xoxb")) {
			t.Error("the sealed value shows the token")
		}
		if again := k.Seal([]byte("xoxb-123-secret"), "T1"); bytes.Equal(again, sealed) {
			t.Error("two seals of one value are equal: the nonce is not random")
		}
		plain, err := k.Open(sealed, "T1")
		if err != nil || string(plain) != "xoxb-123-secret" {
			t.Errorf("Open = %q, %v", plain, err)
		}
		if _, err := k.Open(sealed, "T2"); err != ErrOpen {
			t.Errorf("opened for another workspace: %v", err)
		}
		sealed[len(sealed)-1] ^= 1
		if _, err := k.Open(sealed, "T1"); err != ErrOpen {
			t.Errorf("a damaged value opened: %v", err)
		}
	}
	other, _ := ParseKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, KeySize)))
	k, _ := ParseKey(base64.StdEncoding.EncodeToString(raw))
	if _, err := other.Open(k.Seal([]byte("x"), "T1"), "T1"); err != ErrOpen {
		t.Errorf("opened with another key: %v", err)
	}
	if _, err := k.Open([]byte{1, 2}, "T1"); err != ErrOpen {
		t.Errorf("a short value: %v", err)
	}
}

func TestParseKeyRefuses(t *testing.T) {
	for _, bad := range []string{"", "  ", "secret", base64.StdEncoding.EncodeToString(make([]byte, 16)), strings.Repeat("zz", 32)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}
