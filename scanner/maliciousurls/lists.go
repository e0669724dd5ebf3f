package maliciousurls

// brands are frequent phishing targets: the name that look-alikes imitate
// and the registrable domains (eTLD+1) that really belong to it. The list
// is the project's own selection.
var brands = map[string][]string{
	"paypal":         {"paypal.com", "paypal.me", "paypalobjects.com"},
	"apple":          {"apple.com", "icloud.com"},
	"icloud":         {"icloud.com", "apple.com"},
	"microsoft":      {"microsoft.com", "live.com", "office.com", "microsoftonline.com", "azure.com"},
	"office":         {"office.com", "microsoft.com", "office365.com"},
	"outlook":        {"outlook.com", "live.com", "office.com"},
	"google":         {"google.com", "google.de", "google.co.uk", "googleusercontent.com", "goo.gl"},
	"gmail":          {"gmail.com", "google.com"},
	"amazon":         {"amazon.com", "amazon.de", "amazon.co.uk", "amazon.fr", "amazon.es", "amazon.it", "amazon.co.jp", "amazonaws.com"},
	"facebook":       {"facebook.com", "fb.com", "fbcdn.net"},
	"instagram":      {"instagram.com"},
	"whatsapp":       {"whatsapp.com", "whatsapp.net"},
	"netflix":        {"netflix.com"},
	"linkedin":       {"linkedin.com"},
	"twitter":        {"twitter.com", "x.com", "t.co"},
	"dropbox":        {"dropbox.com"},
	"docusign":       {"docusign.com", "docusign.net"},
	"adobe":          {"adobe.com"},
	"chase":          {"chase.com"},
	"wellsfargo":     {"wellsfargo.com"},
	"bankofamerica":  {"bankofamerica.com"},
	"citibank":       {"citibank.com", "citi.com"},
	"hsbc":           {"hsbc.com", "hsbc.co.uk"},
	"barclays":       {"barclays.co.uk", "barclays.com"},
	"santander":      {"santander.com", "santander.co.uk", "santander.de"},
	"sparkasse":      {"sparkasse.de"},
	"commerzbank":    {"commerzbank.de"},
	"deutschebank":   {"deutsche-bank.de", "db.com"},
	"postbank":       {"postbank.de"},
	"revolut":        {"revolut.com"},
	"coinbase":       {"coinbase.com"},
	"binance":        {"binance.com"},
	"metamask":       {"metamask.io"},
	"blockchain":     {"blockchain.com"},
	"steam":          {"steampowered.com", "steamcommunity.com"},
	"steamcommunity": {"steamcommunity.com"},
	"roblox":         {"roblox.com"},
	"ebay":           {"ebay.com", "ebay.de", "ebay.co.uk"},
	"walmart":        {"walmart.com"},
	"dhl":            {"dhl.com", "dhl.de"},
	"fedex":          {"fedex.com"},
	"usps":           {"usps.com"},
	"github":         {"github.com", "github.io", "githubusercontent.com"},
	"yahoo":          {"yahoo.com"},
	"spotify":        {"spotify.com"},
	"telegram":       {"telegram.org", "t.me"},
	"discord":        {"discord.com", "discord.gg", "discordapp.com"},
	"stripe":         {"stripe.com"},
	"venmo":          {"venmo.com"},
	"zoom":           {"zoom.us"},
}

// riskyTLDs are top-level domains over-represented in abuse reports
// (cheap or free registration), or easily confused with file names.
var riskyTLDs = map[string]bool{
	"zip": true, "mov": true, "xyz": true, "top": true, "tk": true, "ml": true, "ga": true, "cf": true, "gq": true,
	"work": true, "click": true, "country": true, "kim": true, "loan": true, "men": true, "stream": true,
	"download": true, "racing": true, "review": true, "date": true, "faculty": true, "science": true, "party": true,
	"gdn": true, "bid": true, "win": true, "cam": true, "rest": true, "monster": true, "icu": true, "cyou": true,
	"sbs": true, "buzz": true, "quest": true, "support": true, "su": true,
}

// shorteners hide the destination of a link.
var shorteners = map[string]bool{
	"bit.ly": true, "tinyurl.com": true, "t.co": true, "goo.gl": true, "ow.ly": true, "is.gd": true, "buff.ly": true,
	"cutt.ly": true, "rebrand.ly": true, "shorturl.at": true, "tiny.cc": true, "rb.gy": true, "bl.ink": true,
	"s.id": true, "v.gd": true, "t.ly": true, "lnkd.in": true, "bitly.com": true, "shorte.st": true, "adf.ly": true,
	"tr.im": true, "soo.gd": true, "clck.ru": true, "qr.ae": true,
}

// risky file extensions at the end of a URL path.
var riskyExt = []string{".exe", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".jar", ".apk", ".dll", ".hta", ".lnk", ".iso", ".js"}

// phishing words in paths or host labels, only counted with another signal.
var lureWords = []string{"login", "signin", "sign-in", "verify", "verification", "account", "secure", "update", "wallet", "unlock", "password", "banking", "confirm", "billing"}
