package normalize

// confusable folds a look-alike letter to the ASCII letter it imitates. The
// table is curated by hand from the Unicode character names: Cyrillic and
// Greek letters whose glyphs match a Latin letter (upper and lower case
// listed separately where the glyphs differ: Greek Η looks like H, η like n),
// Latin IPA letters, and Latin small capitals. Fullwidth forms,
// mathematical alphanumerics, circled and parenthesised letters are handled
// by NFKD and need no entry.
func confusable(r rune) (byte, bool) {
	if r < 0x0250 {
		switch r {
		case 'ı': // dotless i
			return 'i', true
		case 'ĸ': // kra
			return 'k', true
		case 'ſ': // long s
			return 's', true
		}
		return 0, false
	}
	b, ok := confusables[r]
	return b, ok
}

var confusables = map[rune]byte{
	// Cyrillic capitals
	'А': 'a', 'В': 'b', 'С': 'c', 'Е': 'e', 'Н': 'h', 'І': 'i', 'Ј': 'j', 'К': 'k',
	'М': 'm', 'О': 'o', 'Р': 'p', 'Ѕ': 's', 'Т': 't', 'Х': 'x', 'У': 'y', 'Ү': 'y',
	'Ԛ': 'q', 'Ԝ': 'w', 'Ӏ': 'l', 'Ԍ': 'g',
	// Cyrillic small letters
	'а': 'a', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'һ': 'h', 'і': 'i', 'ј': 'j', 'к': 'k',
	'ӏ': 'l', 'м': 'm', 'о': 'o', 'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'т': 't', 'у': 'y',
	'ү': 'y', 'х': 'x', 'ԝ': 'w', 'ь': 'b', 'п': 'n', 'г': 'r', 'в': 'b', 'н': 'h',
	'ѵ': 'v', 'ё': 'e',
	// Greek capitals
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm',
	'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x', 'Ϲ': 'c', 'Ϳ': 'j',
	// Greek small letters
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v',
	'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ϲ': 'c', 'ϳ': 'j',
	'μ': 'u', 'ς': 's',
	// Armenian and Cherokee letters that imitate Latin ones
	'օ': 'o', 'ս': 'u', 'զ': 'q', 'ց': 'g', 'հ': 'h', 'ո': 'n',
	'Ꭺ': 'a', 'Ᏼ': 'b', 'Ꮯ': 'c', 'Ꭼ': 'e', 'Ꮋ': 'h', 'Ꮃ': 'w', 'Ꮶ': 'k', 'Ꮇ': 'm', 'Ꭱ': 'r', 'Ꮪ': 's', 'Ꭲ': 't',
	// Latin IPA and extensions
	'ɑ': 'a', 'ɐ': 'a', 'ɓ': 'b', 'ɔ': 'o', 'ɕ': 'c', 'ɖ': 'd', 'ɗ': 'd', 'ɛ': 'e',
	'ɡ': 'g', 'ɢ': 'g', 'ɦ': 'h', 'ɨ': 'i', 'ɩ': 'i', 'ɪ': 'i', 'ɫ': 'l', 'ɭ': 'l',
	'ɱ': 'm', 'ɲ': 'n', 'ɳ': 'n', 'ɴ': 'n', 'ɵ': 'o', 'ɽ': 'r', 'ʀ': 'r', 'ʂ': 's',
	'ʈ': 't', 'ʉ': 'u', 'ʋ': 'v', 'ʏ': 'y', 'ʐ': 'z', 'ʑ': 'z', 'ʜ': 'h', 'ʝ': 'j',
	'ʟ': 'l', 'ʙ': 'b', 'ȷ': 'j',
	// Latin small capitals (U+1D00 block)
	'ᴀ': 'a', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ᴊ': 'j', 'ᴋ': 'k', 'ᴍ': 'm', 'ᴏ': 'o',
	'ᴘ': 'p', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ᴢ': 'z', 'ꜱ': 's', 'ꞯ': 'q',
	// Letter-like symbols not covered by NFKD
	'℮': 'e', 'ℯ': 'e', '∂': 'd', 'ⅼ': 'l',
}

// IsObfuscation reports whether r is a character that normalisation treats
// as hiding text: invisible and format characters, tag characters, curated
// look-alike letters, fullwidth forms, mathematical alphanumerics and small
// capitals.
func IsObfuscation(r rune) bool {
	if r < 0x80 {
		return false
	}
	if isInvisible(r) || r >= 0xE0000 && r <= 0xE007F {
		return true
	}
	if _, ok := confusable(r); ok {
		return true
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ASCII
		return true
	case r >= 0x1D400 && r <= 0x1D7FF: // mathematical alphanumerics
		return true
	case r >= 0x24B6 && r <= 0x24E9: // circled letters
		return true
	}
	return false
}
