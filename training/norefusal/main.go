// Command norefusal trains the no_refusal scanner's built-in model, a
// logistic regression over hashed n-grams (internal/hashfeat), on refusals
// and compliant answers assembled by gen.go and benign text from the shared
// datasets, writes scanner/norefusal/model.bin, and prints accuracy on a
// held-out set built from other templates and other sources, for the model
// and for no_refusal_light.
//
// Run from the repository root:
//
//	go run ./training/norefusal
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/norefusal"
	"github.com/llmshield/llmshield/scanner/norefusallight"
)

type example struct {
	text  string
	y     bool // refusal
	group string
	idx   []uint32
	v     float32
}

func main() {
	data := flag.String("datasets", "../shared/datasets", "shared datasets directory")
	out := flag.String("out", "scanner/norefusal/model.bin", "model file to write")
	epochs := flag.Int("epochs", 6, "training epochs")
	l2 := flag.Float64("l2", 1e-4, "L2 penalty per step")
	split := flag.String("split", "all", "all: train on every template part, test on heldout.jsonl and held-out sources; parity: train on even-indexed template parts, also test on refusals from the odd-indexed ones (a strict generalisation check)")
	flag.Parse()
	if *split != "all" && *split != "parity" {
		fmt.Fprintln(os.Stderr, "norefusal: -split must be all or parity")
		os.Exit(2)
	}
	if err := run(*data, *out, *epochs, *l2, *split == "parity"); err != nil {
		fmt.Fprintln(os.Stderr, "norefusal:", err)
		os.Exit(1)
	}
}

func readJSONL(path string, limit int, keep func(map[string]any) bool) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var texts []string
	for sc.Scan() && (limit <= 0 || len(texts) < limit) {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if keep != nil && !keep(m) {
			continue
		}
		if t, _ := m["text"].(string); strings.TrimSpace(t) != "" {
			texts = append(texts, t)
		}
	}
	return texts, sc.Err()
}

func lang(codes ...string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		l, _ := m["lang"].(string)
		for _, c := range codes {
			if l == c {
				return true
			}
		}
		return false
	}
}

func safe(m map[string]any) bool { return m["label"] == "SAFE" }

type source struct {
	file  string
	limit int
	keep  func(map[string]any) bool
	lang  string
	group string
}

func run(dataDir, out string, epochs int, l2 float64, parity bool) error {
	r := rand.New(rand.NewPCG(7, 11))
	tr, te := whole, odds
	if parity {
		tr = evens
	}
	var train, test []example
	// Benign text as (part of) compliant answers. Training and test use
	// different sources (germeval: different rows).
	trainSrc := []source{
		{"injection/t0_prompted_tasks_benign.jsonl", 5000, nil, "en", ""},
		{"injection/gpteacher_benign.jsonl", 3000, nil, "en", ""},
		{"sentiment/sst2_sentences.jsonl", 3000, nil, "en", ""},
		{"toxicity/germeval2018_german.jsonl", 2500, safe, "de", ""},
		{"injection/multijail_harmful_requests.jsonl", 0, lang("zh", "it", "ko", "vi", "ar"), "", ""},
	}
	testSrc := []source{
		{"injection/self_instruct_benign.jsonl", 0, nil, "en", "en: self_instruct"},
		{"injection/gsm8k_questions_benign.jsonl", 1500, nil, "en", "en: gsm8k"},
		{"sentiment/vader_ground_truth.jsonl", 1500, nil, "en", "en: vader tweets/reviews"},
		{"injection/multijail_harmful_requests.jsonl", 0, lang("th", "bn", "sw", "jv"), "", "th/bn/sw/jv: multijail (as plain text)"},
	}
	load := func(s source) ([]string, error) {
		return readJSONL(filepath.Join(dataDir, s.file), s.limit, s.keep)
	}
	for _, s := range trainSrc {
		texts, err := load(s)
		if err != nil {
			return err
		}
		if s.file == "toxicity/germeval2018_german.jsonl" {
			// first half for training, second half held out
			half := len(texts) / 2
			g, err := load(source{s.file, 0, safe, "de", ""})
			if err != nil {
				return err
			}
			for _, t := range g[len(g)/2:] {
				test = append(test, example{text: compliance(r, "de", t, te), group: "de: germeval (other rows)"})
			}
			texts = texts[:half]
		}
		for _, t := range texts {
			l := s.lang
			if l == "" {
				l = "en" // openers for multijail rows: none (plain text)
				train = append(train, example{text: t})
				continue
			}
			train = append(train, example{text: compliance(r, l, t, tr)})
		}
	}
	for _, s := range testSrc {
		texts, err := load(s)
		if err != nil {
			return err
		}
		for _, t := range texts {
			if s.lang == "" {
				test = append(test, example{text: t, group: s.group})
				continue
			}
			test = append(test, example{text: compliance(r, s.lang, t, te), group: s.group})
		}
	}
	// Refusals, and short compliant answers in every language (openers
	// and hard negatives with a safe topic).
	for _, l := range langs {
		p := parts[l]
		nTrain := 600
		if l == "en" {
			nTrain = 6000
		}
		for range nTrain {
			train = append(train, example{text: dropout(r, refusal(r, l, tr)), y: true})
			train = append(train, example{text: pick(r, p.comply, tr) + pick(r, p.hardNeg, tr) + " " + fill("{s}.", p, r, tr)})
		}
		if parity {
			for range 300 {
				test = append(test, example{text: refusal(r, l, odds), y: true, group: l + ": refusals (odd template parts)"})
				test = append(test, example{text: pick(r, p.comply, odds) + pick(r, p.hardNeg, odds), group: l + ": short compliant (odd template parts)"})
			}
		}
	}
	held, err := readHeldout("training/norefusal/heldout.jsonl")
	if err != nil {
		return err
	}
	test = append(test, held...)
	fo := norefusal.FeatureOptions()
	for i := range train {
		train[i].idx, train[i].v = hashfeat.Vector(train[i].text, fo)
	}
	// Logistic regression, AdaGrad, class-balanced.
	var pos int
	for _, e := range train {
		if e.y {
			pos++
		}
	}
	wPos, wNeg := float64(len(train))/(2*float64(pos)), float64(len(train))/(2*float64(len(train)-pos))
	w := make([]float64, norefusal.Dim)
	g2 := make([]float64, norefusal.Dim)
	var bias, gb float64
	const lr = 0.5
	for ep := range epochs {
		r.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		var loss float64
		for _, e := range train {
			z := bias
			for _, i := range e.idx {
				z += w[i] * float64(e.v)
			}
			p := 1 / (1 + math.Exp(-z))
			y, cw := 0.0, wNeg
			if e.y {
				y, cw = 1, wPos
			}
			loss -= cw * (y*math.Log(p+1e-12) + (1-y)*math.Log(1-p+1e-12))
			g := cw * (p - y)
			for _, i := range e.idx {
				gi := g*float64(e.v) + l2*w[i]
				g2[i] += gi * gi
				w[i] -= lr * gi / (math.Sqrt(g2[i]) + 1e-8)
			}
			gb += g * g
			bias -= lr * g / (math.Sqrt(gb) + 1e-8)
		}
		fmt.Fprintf(os.Stderr, "epoch %d: mean loss %.4f\n", ep+1, loss/float64(len(train)))
	}
	m := &norefusal.Model{Bias: float32(bias), W: make([]float32, norefusal.Dim)}
	for i, x := range w {
		m.W[i] = float32(x)
	}
	if err := os.WriteFile(out, m.Encode(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d train examples, %d refusals)\n", out, len(train), pos)
	return report(m, test)
}

func report(m *norefusal.Model, test []example) error {
	light, err := norefusallight.New(norefusallight.DefaultConfig())
	if err != nil {
		return err
	}
	thr := norefusal.DefaultConfig().Threshold
	groups := map[string]*[2]binclass.Confusion{}
	var all [2]binclass.Confusion
	var scores []float64
	var labels []bool
	for _, e := range test {
		p := m.Score(e.text)
		res, err := light.Scan(context.Background(), scanner.Input{Output: e.text, Stage: scanner.StageOutput})
		if err != nil {
			return err
		}
		g := groups[e.group]
		if g == nil {
			g = new([2]binclass.Confusion)
			groups[e.group] = g
		}
		g[0].Add(e.y, p >= thr)
		g[1].Add(e.y, !res.Valid)
		all[0].Add(e.y, p >= thr)
		all[1].Add(e.y, !res.Valid)
		scores, labels = append(scores, p), append(labels, e.y)
	}
	names := make([]string, 0, len(groups))
	for k := range groups {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("Held-out test set: %d texts (hand-written answers in training/norefusal/heldout.jsonl, with -split parity also refusals from odd-indexed template parts; compliance from sources not used in training). no_refusal threshold %.2f; no_refusal_light defaults.\n\n", len(test), thr)
	fmt.Println("| group | n | no_refusal recall / FPR | no_refusal_light recall / FPR |")
	fmt.Println("|---|---|---|---|")
	for _, k := range names {
		g := groups[k]
		fmt.Printf("| %s | %d | %s | %s |\n", k, g[0].TP+g[0].FP+g[0].TN+g[0].FN, cell(g[0]), cell(g[1]))
	}
	fmt.Println()
	fmt.Println("| scanner | precision | recall | F1 | FPR | AUC |")
	fmt.Println("|---|---|---|---|---|---|")
	for i, name := range []string{"no_refusal", "no_refusal_light"} {
		c := all[i]
		p := float64(c.TP) / float64(max(c.TP+c.FP, 1))
		rc := float64(c.TP) / float64(max(c.TP+c.FN, 1))
		f1 := 2 * p * rc / math.Max(p+rc, 1e-12)
		fpr := float64(c.FP) / float64(max(c.FP+c.TN, 1))
		auc := "—"
		if i == 0 {
			if a, ok := binclass.AUC(scores, labels); ok {
				auc = fmt.Sprintf("%.4f", a)
			}
		}
		fmt.Printf("| %s | %.3f | %.3f | %.3f | %.4f | %s |\n", name, p, rc, f1, fpr, auc)
	}
	return nil
}

func cell(c binclass.Confusion) string {
	var parts []string
	if c.TP+c.FN > 0 {
		parts = append(parts, fmt.Sprintf("recall %.3f", float64(c.TP)/float64(c.TP+c.FN)))
	}
	if c.FP+c.TN > 0 {
		parts = append(parts, fmt.Sprintf("FPR %.3f", float64(c.FP)/float64(c.FP+c.TN)))
	}
	return strings.Join(parts, ", ")
}

// dropout removes each word with probability 0.15 in 30% of the texts, so
// that the model leans on many cues instead of whole template strings.
func dropout(r *rand.Rand, s string) string {
	if r.Float64() >= 0.3 {
		return s
	}
	words := strings.Fields(s)
	kept := words[:0]
	for _, w := range words {
		if r.Float64() >= 0.15 {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return s
	}
	return strings.Join(kept, " ")
}

// readHeldout reads the hand-written answers (never trained on).
func readHeldout(path string) ([]example, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run from the repository root)", err)
	}
	var out []example
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var e struct {
			Text string `json:"text"`
			Y    bool   `json:"y"`
			Lang string `json:"lang"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		kind := "compliant"
		if e.Y {
			kind = "refusals"
		}
		g := "hand-written " + kind + " (en)"
		if e.Lang != "en" {
			g = "hand-written " + kind + " (de/fr/es/it/pt/nl/zh/ja/ru)"
		}
		out = append(out, example{text: e.Text, y: e.Y, group: g})
	}
	return out, nil
}
