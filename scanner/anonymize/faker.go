package anonymize

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// Fake values, written for this package. Phone numbers use the 555-01xx
// range reserved for fiction, e-mail addresses example domains (RFC 2606),
// IP addresses the documentation ranges (RFC 5737 / 3849), card numbers a
// test BIN (Luhn-valid), IBANs a valid check sum on a made-up bank code.
var (
	fakeFirst = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Robin", "Jamie", "Lena", "Jonas", "Camille", "Lucía", "Mateo", "Elif", "Noor", "Ines", "Pavel", "Aiko"}
	fakeLast  = []string{"Miller", "Moreau", "Santos", "Becker", "Novak", "Rossi", "Lindqvist", "Okafor", "Haddad", "Kowalski", "Dubois", "Navarro", "Fischer", "Tanaka"}
	fakeOrg   = []string{"Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Globex GmbH", "Initech SA", "Umbrella Labs", "Tailspin Group", "Wingtip Partners"}
	fakePlace = []string{"Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Kingsport", "Millbrook", "Oakridge"}
)

// fake returns a realistic stand-in for original of entity, the same for
// the same (seed, entity, original, n); "" when there is no fake for the
// type (a placeholder is used then).
func fake(seed int64, entity, original string, n int) string {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	h.Write([]byte(entity))
	h.Write([]byte{0})
	h.Write([]byte(original))
	r := rand.New(rand.NewPCG(h.Sum64(), uint64(n)))
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	switch entity {
	case "PERSON":
		return pick(fakeFirst) + " " + pick(fakeLast)
	case "ORGANIZATION":
		return pick(fakeOrg)
	case "LOCATION":
		return pick(fakePlace)
	case "EMAIL_ADDRESS":
		return fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(pick(fakeFirst)), strings.ToLower(pick(fakeLast)), n)
	case "PHONE_NUMBER":
		return fmt.Sprintf("+1 555-01%02d", r.IntN(100))
	case "CREDIT_CARD":
		return luhnComplete(fmt.Sprintf("400000%09d", r.IntN(1_000_000_000)))
	case "IBAN_CODE":
		return fakeIBAN(r)
	case "US_SSN":
		// Area 9xx is never issued as an SSN.
		return fmt.Sprintf("9%02d-%02d-%04d", r.IntN(100), 10+r.IntN(90), 1000+r.IntN(9000))
	case "IP_ADDRESS":
		if strings.Contains(original, ":") {
			return fmt.Sprintf("2001:db8::%x", 1+r.IntN(0xfffe))
		}
		return fmt.Sprintf("192.0.2.%d", 1+r.IntN(254))
	case "URL":
		return fmt.Sprintf("https://example.com/%d", r.IntN(100000))
	case "UUID":
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
	}
	return ""
}

func luhnComplete(d string) string {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-i)%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return d + string(rune('0'+(10-sum%10)%10))
}

func fakeIBAN(r *rand.Rand) string {
	bban := fmt.Sprintf("FAKE%014d", r.Int64N(1e14)) // 18 chars: a DE-length (22) IBAN
	rearranged := bban + "DE00"
	rem := 0
	for _, c := range rearranged {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("DE%02d%s", 98-rem, bban)
}
