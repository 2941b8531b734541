package domain

import (
	"regexp"
	"strings"
)

// Channel is a sales channel, such as the web shop or a retail partner.
// Shops and sellers belong to one channel.
type Channel struct {
	ID   int64
	Slug string
	Name string
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)*$`)

// ValidateSlug checks a channel slug: lower-case letters, digits, and single
// dashes or underscores between them, at most 64 characters.
func ValidateSlug(slug string) error {
	if len(slug) == 0 || len(slug) > 64 || !slugPattern.MatchString(slug) {
		return Invalid("channel slug", slug, "expected lower-case letters, digits, - or _, such as tienda-online")
	}
	return nil
}

// NewChannel validates and builds a channel.
func NewChannel(slug, name string) (Channel, error) {
	slug = strings.TrimSpace(slug)
	if err := ValidateSlug(slug); err != nil {
		return Channel{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = slug
	}
	return Channel{Slug: slug, Name: name}, nil
}
