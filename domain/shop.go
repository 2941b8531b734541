package domain

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OutletKind is the kind of an Outlet: a shop or a seller.
type OutletKind string

// Outlet kinds.
const (
	// KindShop is a physical or online shop of a channel.
	KindShop OutletKind = "shop"
	// KindSeller is a salesperson or agent of a channel.
	KindSeller OutletKind = "seller"
)

// Outlet is a shop or a seller of a sales channel. Both have the same shape
// and rules, so one type serves both; Kind distinguishes them. The code is
// unique per channel and kind.
type Outlet struct {
	ID        int64
	Kind      OutletKind
	ChannelID int64
	Code      string
	Name      string
	Enabled   bool

	// Email, Phone (E.164, Spanish), PostalCode (5 digits), Address, City
	// and Province are the contact fields; each may be empty.
	Email      string
	Phone      string
	PostalCode string
	Address    string
	City       string
	Province   string
	// ShopCode is, for a seller, the code of the shop the seller works in.
	// It is empty for shops.
	ShopCode string

	Settings ShopSetting
	// UpdatedAt is when an import last changed the row, in UTC.
	UpdatedAt time.Time
}

// Shop and Seller are the two kinds of Outlet.
type (
	Shop   = Outlet
	Seller = Outlet
)

// ValidateOutletCode checks a shop or seller code: 1 to 64 letters, digits,
// dots, slashes, dashes or underscores, starting with a letter or digit.
// Imports call it for every row, so it checks the bytes in a loop rather
// than with a regular expression.
func ValidateOutletCode(code string) error {
	ok := len(code) >= 1 && len(code) <= 64 && isASCIIAlnum(code[0])
	for i := 1; ok && i < len(code); i++ {
		c := code[i]
		ok = isASCIIAlnum(c) || c == '.' || c == '_' || c == '/' || c == '-'
	}
	if !ok {
		return Invalid("code", code, "expected 1 to 64 letters, digits, '.', '/', '-' or '_', starting with a letter or digit, such as TDA-001")
	}
	return nil
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Validate checks every field and returns one *ValidationError per wrong
// field, in field order, or nil.
func (o Outlet) Validate() []error {
	var errs []error
	if o.Kind != KindShop && o.Kind != KindSeller {
		errs = append(errs, Invalid("kind", string(o.Kind), "expected shop or seller"))
	}
	if err := ValidateOutletCode(o.Code); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(o.Name) == "" {
		errs = append(errs, Invalid("name", o.Name, "must not be empty"))
	} else if len(o.Name) > 200 {
		errs = append(errs, Invalid("name", o.Name, "must be at most 200 bytes long"))
	}
	if o.Email != "" {
		if err := ValidateEmail(o.Email); err != nil {
			errs = append(errs, err)
		}
	}
	if o.PostalCode != "" {
		if _, err := NormalizePostalCode(o.PostalCode); err != nil {
			errs = append(errs, err)
		}
	}
	if o.ShopCode != "" {
		if err := ValidateOutletCode(o.ShopCode); err != nil {
			errs = append(errs, Invalid("shop", o.ShopCode, err.(*ValidationError).Reason))
		}
	}
	errs = append(errs, o.Settings.Validate()...)
	return errs
}

// ValidateEmail checks a bare e-mail address such as tienda@example.com:
// no display name, a domain with a dot.
func ValidateEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return Invalid("email", s, "expected an address such as tienda@example.com")
	}
	_, host, _ := strings.Cut(s, "@")
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return Invalid("email", s, "expected a domain with a dot after the @, such as example.com")
	}
	return nil
}

// NormalizeSpanishPhone returns a Spanish phone number in E.164 form
// (+34 and nine digits starting with 6, 7, 8 or 9). A number of another
// country is rejected. Every error but that of an empty s states the
// Spanish rule, in place of NormalizePhone's reason, whose examples of
// foreign numbers this function rejects.
func NormalizeSpanishPhone(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return NormalizePhone(s)
	}
	p, err := NormalizePhone(s)
	if err != nil || !strings.HasPrefix(p, "+"+SpainCountryCode) {
		return "", Invalid("phone number", s, "expected a Spanish number: 9 digits starting with 6, 7, 8 or 9, "+
			"with or without +34, such as 600 111 222")
	}
	return p, nil
}

// NormalizePostalCode checks a Spanish postal code: five digits whose first
// two, the province, are 01 to 52. A code of four digits gets back the
// leading zero that spreadsheets drop ("8001" becomes "08001").
func NormalizePostalCode(s string) (string, error) {
	raw := s
	s = strings.TrimSpace(s)
	if len(s) == 4 {
		s = "0" + s
	}
	if len(s) != 5 || !allDigits(s) {
		return "", Invalid("postal code", raw, "expected 5 digits, such as 28013")
	}
	if province, _ := strconv.Atoi(s[:2]); province < 1 || province > 52 {
		return "", Invalid("postal code", raw, "the first two digits are the province and must be 01 to 52")
	}
	return s, nil
}

// SaleType is a kind of sale a shop or seller may make.
type SaleType string

// Sale types.
const (
	SaleNewLine     SaleType = "new_line"
	SalePortability SaleType = "portability"
	SaleRenewal     SaleType = "renewal"
	SaleDevice      SaleType = "device"
)

// SaleTypes lists every sale type in a stable order.
var SaleTypes = []SaleType{SaleNewLine, SalePortability, SaleRenewal, SaleDevice}

// saleTypeAliases maps the Spanish names operators write in files.
var saleTypeAliases = map[string]SaleType{
	"alta":         SaleNewLine,
	"portabilidad": SalePortability,
	"renovacion":   SaleRenewal,
	"renovación":   SaleRenewal,
	"terminal":     SaleDevice,
	"terminales":   SaleDevice,
}

// ParseSaleTypes reads a list of sale types separated by "|", "," or
// spaces, in English (new_line, portability, renewal, device) or Spanish
// (alta, portabilidad, renovacion, terminal), in any case. The result is
// sorted and without repeats. An empty string gives an empty list.
func ParseSaleTypes(s string) ([]SaleType, error) {
	// Imports call this for every row, so it records the types in a bit
	// set and builds the slice once, already in the order of SaleTypes.
	var found uint64
	for rest := strings.ToLower(s); rest != ""; {
		name := rest
		rest = ""
		if i := strings.IndexAny(name, "|, ;\t"); i >= 0 {
			name, rest = name[:i], name[i+1:]
		}
		if name == "" {
			continue
		}

		t, ok := saleTypeAliases[name]
		if !ok {
			t = SaleType(name)
		}
		index := slices.Index(SaleTypes, t)
		if index < 0 {
			return nil, Invalid("sale types", s, fmt.Sprintf("unknown sale type %q; expected %s (or alta, portabilidad, renovacion, terminal) separated by |", name, joinStrings(SaleTypes)))
		}
		found |= 1 << index
	}

	var out []SaleType
	for i, t := range SaleTypes {
		if found&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// FormatSaleTypes joins sale types with "|", the form ParseSaleTypes reads.
func FormatSaleTypes(ts []SaleType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, "|")
}

// ShopSetting holds the typed settings of a shop or seller. An import
// replaces them whole.
type ShopSetting struct {
	// AllowedSaleTypes lists the sales allowed; empty allows none.
	AllowedSaleTypes []SaleType
	// MaxDiscountPercent is the largest discount the outlet may give, 0 to
	// 100.
	MaxDiscountPercent int
	// CanSellDevices allows selling handsets.
	CanSellDevices bool
	// ESIMAllowed allows selling eSIMs.
	ESIMAllowed bool
}

// Validate returns one *ValidationError per wrong field, or nil.
func (s ShopSetting) Validate() []error {
	var errs []error
	for _, t := range s.AllowedSaleTypes {
		if !slices.Contains(SaleTypes, t) {
			errs = append(errs, Invalid("sale types", string(t), "expected "+joinStrings(SaleTypes)))
			break
		}
	}
	if s.MaxDiscountPercent < 0 || s.MaxDiscountPercent > 100 {
		errs = append(errs, Invalid("max discount", strconv.Itoa(s.MaxDiscountPercent), "expected a percentage from 0 to 100"))
	}
	if slices.Contains(s.AllowedSaleTypes, SaleDevice) && !s.CanSellDevices {
		errs = append(errs, Invalid("can sell devices", "false", "must be true when the sale types include device"))
	}
	return errs
}

// ParseDiscountPercent reads a whole percentage from 0 to 100, with or
// without a trailing "%". An empty string is 0.
func ParseDiscountPercent(s string) (int, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if t == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 100 {
		return 0, Invalid("max discount", s, "expected a whole percentage from 0 to 100, such as 15")
	}
	return n, nil
}

// ParseFlag reads a yes/no value the way operators write it in files:
// 1, true, yes, si, sí, s, y, x for yes and 0, false, no, n for no, in any
// case. An empty string gives def.
func ParseFlag(field, s string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return def, nil
	case "1", "true", "yes", "y", "si", "sí", "s", "x", "verdadero":
		return true, nil
	case "0", "false", "no", "n", "falso":
		return false, nil
	}
	return false, Invalid(field, s, "expected si or no (or 1/0, true/false)")
}
