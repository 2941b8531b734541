package domain_test

import (
	"fmt"

	"github.com/telcojobs/telcojobs/domain"
)

func ExampleParseICCID() {
	iccid, err := domain.ParseICCID("8934070000000010014F")
	fmt.Println(iccid, err)

	_, err = domain.ParseICCID("8934070000000010015")
	fmt.Println(err)
	// Output:
	// 8934070000000010014 <nil>
	// invalid ICCID "8934070000000010015": check digit is 5; the Luhn algorithm expects 4
}

func ExampleParseDocument() {
	doc, err := domain.ParseDocument("dni", " 1.234.567-l ")
	fmt.Println(doc.Kind, doc.Number, err)

	_, err = domain.ParseDocument("DNI", "12345678A")
	fmt.Println(err)
	// Output:
	// DNI 01234567L <nil>
	// invalid DNI "12345678A": wrong control letter A; expected Z for 12345678
}

func ExampleCents_String() {
	price, _ := domain.ParseCents("1299,5")
	fmt.Println(price, int64(price))

	// Thousands separators are rejected rather than guessed.
	_, err := domain.ParseCents("1.299,50")
	fmt.Println(err)
	// Output:
	// 1299,50 € 129950
	// invalid amount "1.299,50": expected euros with at most two decimals, such as 12,34
}
