package pii

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func analyze(t *testing.T, a *Analyzer, text string) map[string][]string {
	t.Helper()
	ms, err := a.Analyze(context.Background(), text, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range ms {
		out[m.Type] = append(out[m.Type], text[m.Start:m.End])
	}
	return out
}

func TestRecognizers(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text, typ, want string // want "" means: typ must not be found
	}{
		{"write to jane.doe+news@mail.example.co.uk today", Email, "jane.doe+news@mail.example.co.uk"},
		{"not an address: user@localhost", Email, ""},
		{"card 4111 1111 1111 1111 expires", CreditCard, "4111 1111 1111 1111"},
		{"card 4111 1111 1111 1112 expires", CreditCard, ""}, // Luhn fails
		{"order number 1234567890123", CreditCard, ""},
		{"IBAN DE89 3704 0044 0532 0130 00 please", IBAN, "DE89 3704 0044 0532 0130 00"},
		{"iban fr1420041010050500013m02606", IBAN, "fr1420041010050500013m02606"},
		{"code XX12 3456 7890 1234 5678", IBAN, ""}, // no such country
		{"SSN 219-09-9991 on file", USSSN, "219-09-9991"},
		{"SSN 666-12-3456 on file", USSSN, ""}, // area 666 never issued
		{"SSN 900-12-3456 on file", USSSN, ""},
		{"call me on +49 30 901820 tomorrow", Phone, "+49 30 901820"},
		{"my phone: (415) 555-2671", Phone, "(415) 555-2671"},
		{"Tel. 06 12 34 56 78", Phone, "06 12 34 56 78"},
		{"it costs 12 euros", Phone, ""},
		{"server 192.168.10.4 is down", IPAddress, "192.168.10.4"},
		{"version 999.1.1.1", IPAddress, ""},
		{"ipv6 2001:db8:85a3::8a2e:370:7334 here", IPAddress, "2001:db8:85a3::8a2e:370:7334"},
		{"see https://example.com/a?b=c.", URL, "https://example.com/a?b=c"},
		{"id 123e4567-e89b-12d3-a456-426614174000", UUID, "123e4567-e89b-12d3-a456-426614174000"},
		{"send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", Crypto, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
		{"send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", Crypto, ""}, // checksum
		{"bech32 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ok", Crypto, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
		{"eth 0x52908400098527886E0F7030069857D2E4169EE7", Crypto, "0x52908400098527886E0F7030069857D2E4169EE7"},
		{"I was born on 12 March 1985 in Lyon", DateOfBirth, "12 March 1985"},
		{"geboren am 03.04.1979", DateOfBirth, "03.04.1979"},
		{"the meeting is on 12 March 2025", DateOfBirth, ""},
		{"passport number X1234567", Passport, "X1234567"},
		{"numéro de passeport 12AB34567", Passport, "12AB34567"},
		{"driver's license D1234567", DriverLicense, "D1234567"},
		{"DNI 12345678Z for the tax form", TaxID, "12345678Z"},
		{"My name is Carlos Fernández", Person, "Carlos Fernández"},
		{"Ich heiße Jürgen Weber und wohne in München.", Person, "Jürgen Weber"},
		{"Je m'appelle Amélie Dubois.", Person, "Amélie Dubois"},
		{"Mme Lefèvre a appelé.", Person, "Lefèvre"},
		{"Sr. García llegó tarde.", Person, "García"},
		{"She works at Globex Holdings now.", Organization, "Globex Holdings"},
		{"Smith and Sons won the bid.", Organization, "Smith and Sons"},
		{"We flew to Buenos Aires.", Location, "Buenos Aires"},
		{"The Quick Brown Fox jumps.", Person, ""},
	}
	for _, c := range cases {
		got := analyze(t, a, c.text)[c.typ]
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%q: %s found %q, want none", c.text, c.typ, got)
		case c.want != "" && (len(got) != 1 || got[0] != c.want):
			t.Errorf("%q: %s found %q, want [%q]", c.text, c.typ, got, c.want)
		}
	}
}

func TestOptions(t *testing.T) {
	a, err := New(Options{EntityTypes: []string{Email}, AllowedNames: []string{"info@example.com"}, HiddenNames: []string{"Falcon"}})
	if err != nil {
		t.Fatal(err)
	}
	got := analyze(t, a, "John Smith wrote to info@example.com and bob@example.com about Falcon, not Falconry")
	if len(got[Person]) != 0 || len(got[Email]) != 1 || got[Email][0] != "bob@example.com" || len(got[Custom]) != 1 {
		t.Errorf("got %v", got)
	}
	for _, o := range []Options{{Language: "xx"}, {EntityTypes: []string{"NOPE"}}, {Patterns: []PatternSpec{{Name: "lower", Expressions: []string{"x"}}}},
		{Patterns: []PatternSpec{{Name: "X", Expressions: []string{"a"}, Examples: []string{"b"}}}}, {Patterns: []PatternSpec{{Name: "X", Expressions: []string{"a"}, Score: 2}}}} {
		if _, err := New(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestValidators(t *testing.T) {
	if !luhn("4111111111111111") || luhn("4111111111111112") {
		t.Error("luhn")
	}
	if !ibanValid("GB82WEST12345698765432") || ibanValid("GB82WEST12345698765433") {
		t.Error("iban")
	}
	if !dniValid("12345678Z") || dniValid("12345678A") || !dniValid("X1234567L") {
		t.Error("dni")
	}
	if !bech32Valid("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") || bech32Valid("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz") {
		t.Error("bech32")
	}
}

func FuzzAnalyze(f *testing.F) {
	a, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("John Smith, john@example.com, +1 415 555 2671, 4111 1111 1111 1111")
	f.Add("Frau Müller aus Köln, IBAN DE89 3704 0044 0532 0130 00")
	f.Add("\xff\xfe Mr. \x00 O'Neil-Smith's")
	f.Fuzz(func(t *testing.T, text string) {
		ms, err := a.Analyze(context.Background(), text, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, m := range ms {
			if m.Start < last || m.End <= m.Start || m.End > len(text) || m.Score < 0.5 || m.Score > 1 {
				t.Fatalf("bad match %+v (previous end %d)", m, last)
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[m.Start:m.End]) {
				t.Fatalf("match cuts a rune: %+v", m)
			}
			last = m.End
		}
	})
}

func BenchmarkAnalyze1K(b *testing.B) {
	a, _ := New(Options{})
	text := strings.Repeat("Please summarise the quarterly report and draft a reply to the board about the budget. ", 9) +
		"Contact Maria Garcia at maria.garcia@example.com or +1 415 555 2671; card 4111 1111 1111 1111."
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Analyze(context.Background(), text, 0.5); err != nil {
			b.Fatal(err)
		}
	}
}
