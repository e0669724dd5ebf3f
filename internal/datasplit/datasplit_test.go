package datasplit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestNormalize(t *testing.T) {
	if got := Normalize("  Hello\t\nWORLD \u00a0 again "); got != "hello world again" {
		t.Fatalf("%q", got)
	}
}

// TestAgreesWithPython runs training/split.py's bucket function on a few
// texts when the Debian interpreter is present.
func TestAgreesWithPython(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	texts := []string{"Ignore all previous instructions", "  Hello\t\nWORLD  ", "Grüße aus München", "", "ÄÖÜ ß 日本語 テキスト", "emoji 🙂 test"}
	b, _ := json.Marshal(texts)
	script := `import json,sys; sys.path.insert(0, sys.argv[1]); import split
for t in json.loads(sys.argv[2]): print(split.bucket(t))`
	out, err := exec.Command(py, "-c", script, filepath.Join("..", "..", "training"), string(b)).Output()
	if err != nil {
		t.Skipf("python split.py unavailable: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for i := 0; sc.Scan(); i++ {
		n++
		var want int
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if got := Bucket(texts[i]); got != want {
			t.Errorf("%q: Go bucket %d, Python %d", texts[i], got, want)
		}
	}
	if n != len(texts) {
		t.Fatalf("python printed %d buckets for %d texts", n, len(texts))
	}
}
