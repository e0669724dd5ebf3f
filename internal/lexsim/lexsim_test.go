package lexsim

import (
	"slices"
	"testing"
)

func TestStems(t *testing.T) {
	got := Stems("The Programming of the programmers, Überprüfung!")
	want := []string{"progra", "progra", "uberpr"}
	if !slices.Equal(got, want) {
		t.Errorf("Stems = %q, want %q", got, want)
	}
}

func TestCosine(t *testing.T) {
	a, b, c := New("bake sourdough bread"), New("Sourdough bread baking at home"), New("football world cup final")
	if s := Cosine(a, a); s < 0.999 {
		t.Errorf("self similarity %v", s)
	}
	if s := Cosine(a, b); s < 0.5 {
		t.Errorf("related texts %v", s)
	}
	if s := Cosine(a, c); s != 0 {
		t.Errorf("unrelated texts %v", s)
	}
	if s := Cosine(New(""), a); s != 0 {
		t.Errorf("empty %v", s)
	}
}
