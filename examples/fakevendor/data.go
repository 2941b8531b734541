package fakevendor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Device is a device of the fake Orion catalogue, in the JSON form that
// GET /devices/{alias} returns.
type Device struct {
	Alias       string            `json:"alias"`
	Name        string            `json:"name"`
	Brand       string            `json:"brand"`
	Description string            `json:"description"`
	Specs       map[string]string `json:"specs"`
	Offers      []Offer           `json:"offers"`
}

// Offer is an offer of a Device.
type Offer struct {
	Alias      string    `json:"alias"`
	Color      string    `json:"color"`
	StorageGB  int       `json:"storage_gb"`
	PriceCents int64     `json:"price_cents"`
	Stock      int       `json:"stock"`
	Payments   []Payment `json:"payments"`
}

// Payment is an instalment plan of an Offer.
type Payment struct {
	Plan         string `json:"plan"`
	Months       int    `json:"months"`
	UpfrontCents int64  `json:"upfront_cents"`
	MonthlyCents int64  `json:"monthly_cents"`
}

// Coverage is the fake Telco response for one address code.
type Coverage struct {
	Coverage     bool   `json:"coverage"`
	Technology   string `json:"technology"`
	MaxSpeedMbps int    `json:"max_speed_mbps"`
}

// Message is an SMS accepted by the fake gateway.
type Message struct {
	ID        string `json:"id"`
	To        string `json:"to"`
	Text      string `json:"text"`
	Sender    string `json:"sender"`
	Reference string `json:"reference"`
}

// LoadDevices reads a JSON array of devices, such as
// testdata/orion/devices.json.
func LoadDevices(path string) ([]Device, error) {
	var devices []Device
	if err := readJSON(path, &devices); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, d := range devices {
		if d.Alias == "" {
			return nil, fmt.Errorf("%s: device %d has no alias", path, i)
		}
		if seen[d.Alias] {
			return nil, fmt.Errorf("%s: device alias %q appears twice", path, d.Alias)
		}
		seen[d.Alias] = true
	}
	return devices, nil
}

// LoadCoverage reads a JSON object from address code to coverage, such as
// testdata/telco/coverage.json.
func LoadCoverage(path string) (map[string]Coverage, error) {
	var coverage map[string]Coverage
	if err := readJSON(path, &coverage); err != nil {
		return nil, err
	}
	return coverage, nil
}

// LoadTestdata reads dir/orion/devices.json and dir/telco/coverage.json into
// the data fields of Options.
func LoadTestdata(dir string) (Options, error) {
	devices, err := LoadDevices(filepath.Join(dir, "orion", "devices.json"))
	if err != nil {
		return Options{}, err
	}
	coverage, err := LoadCoverage(filepath.Join(dir, "telco", "coverage.json"))
	if err != nil {
		return Options{}, err
	}
	return Options{Devices: devices, Coverage: coverage}, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read fake vendor data: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read fake vendor data %s: %w", path, err)
	}
	return nil
}

// GenerateCatalogue builds n devices with offers offers each and two
// payment plans per offer, for load tests. Aliases are dev-0001, dev-0002...
// and offers dev-0001-o1, dev-0001-o2...
func GenerateCatalogue(n, offers int) []Device {
	out := make([]Device, n)
	for i := range out {
		alias := fmt.Sprintf("dev-%04d", i+1)
		d := Device{
			Alias: alias, Name: fmt.Sprintf("Modelo %d", i+1), Brand: []string{"Acme", "Zeta", "Nova"}[i%3],
			Description: "Teléfono de prueba " + alias,
			Specs:       map[string]string{"screen": fmt.Sprintf("6.%d", i%10), "battery": fmt.Sprint(4000 + i%1000)},
		}
		for j := range offers {
			price := int64(19900 + 1000*(i%50) + 5000*j)
			d.Offers = append(d.Offers, Offer{
				Alias: fmt.Sprintf("%s-o%d", alias, j+1), Color: []string{"negro", "blanco", "azul", "verde", "rojo"}[j%5],
				StorageGB: 64 << (j % 4), PriceCents: price, Stock: (i + j) % 20,
				Payments: []Payment{
					{Plan: "24m", Months: 24, UpfrontCents: 0, MonthlyCents: price / 24},
					{Plan: "36m", Months: 36, UpfrontCents: 1000, MonthlyCents: (price - 1000) / 36},
				},
			})
		}
		out[i] = d
	}
	return out
}
