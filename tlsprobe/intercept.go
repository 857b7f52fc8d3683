package tlsprobe

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
)

// interceptors names TLS-inspection products (proxies, firewalls, secure
// web gateways, antivirus, debugging proxies) by words that appear in the
// subject or issuer (CN, O, OU) of the certificates they mint. Phrases are
// matched as whole words, case-insensitively, after punctuation is turned
// into spaces ("DO_NOT_TRUST_FiddlerRoot" -> "do not trust fiddlerroot").
// More specific entries come first.
var interceptors = []struct {
	product string
	words   []string
}{
	{"Zscaler", []string{"zscaler"}},
	{"Netskope", []string{"netskope"}},
	{"Palo Alto Networks", []string{"palo alto", "paloalto", "palo alto networks"}},
	{"Fortinet FortiGate", []string{"fortinet", "fortigate"}},
	{"Blue Coat ProxySG", []string{"blue coat", "bluecoat", "proxysg"}},
	{"Symantec (Blue Coat) Web Security", []string{"symantec"}},
	{"Cisco Umbrella", []string{"cisco umbrella", "umbrella"}},
	{"Cisco (Firepower / Secure Web Appliance)", []string{"cisco", "ironport"}},
	{"Sophos", []string{"sophos"}},
	{"Check Point", []string{"check point", "checkpoint"}},
	{"Forcepoint (Websense)", []string{"forcepoint", "websense"}},
	{"Skyhigh Security (McAfee Web Gateway)", []string{"skyhigh", "mcafee"}},
	{"Barracuda", []string{"barracuda"}},
	{"Kaspersky", []string{"kaspersky"}},
	{"Avast / AVG", []string{"avast", "avg"}},
	{"ESET", []string{"eset"}},
	{"Bitdefender", []string{"bitdefender"}},
	{"Norton", []string{"norton"}},
	{"Avira", []string{"avira"}},
	{"Trend Micro", []string{"trend micro", "trendmicro"}},
	{"WatchGuard", []string{"watchguard"}},
	{"SonicWall", []string{"sonicwall"}},
	{"Cloudflare Gateway (Zero Trust)", []string{"cloudflare for teams", "cloudflare gateway", "cloudflare managed"}},
	{"iboss", []string{"iboss"}},
	{"Menlo Security", []string{"menlo security"}},
	{"Cato Networks", []string{"cato networks"}},
	{"Lightspeed Systems", []string{"lightspeed systems"}},
	{"Securly", []string{"securly"}},
	{"ContentKeeper", []string{"contentkeeper"}},
	{"Smoothwall", []string{"smoothwall"}},
	{"Untangle", []string{"untangle"}},
	{"mitmproxy", []string{"mitmproxy"}},
	{"Charles Proxy", []string{"charles proxy", "charlesproxy", "xk72"}},
	{"Fiddler", []string{"fiddler", "fiddlerroot"}},
	{"Burp Suite", []string{"portswigger", "burp"}},
	{"Proxyman", []string{"proxyman"}},
	{"HTTP Toolkit", []string{"http toolkit", "httptoolkit"}},
}

// InterceptionProduct returns the TLS-inspection product named in the
// subject or issuer of any of certs, and the first certificate naming it;
// "" and nil if none does.
func InterceptionProduct(certs []*x509.Certificate) (string, *x509.Certificate) {
	for _, c := range certs {
		text := words(c.Subject) + words(c.Issuer)
		for _, p := range interceptors {
			for _, w := range p.words {
				if strings.Contains(text, " "+w+" ") {
					return p.product, c
				}
			}
		}
	}
	return "", nil
}

// words is the CN, O and OU of a name, lower case, punctuation turned into
// spaces, padded with spaces for whole-word matching.
func words(n pkix.Name) string {
	parts := append([]string{n.CommonName}, n.Organization...)
	parts = append(parts, n.OrganizationalUnit...)
	s := strings.ToLower(strings.Join(parts, " "))
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return ' '
	}, s)
	return " " + strings.Join(strings.Fields(s), " ") + " "
}
