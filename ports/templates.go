package ports

import (
	"context"

	"github.com/telcojobs/telcojobs/domain"
)

// RenderedMessage is a template rendered with one notification's context.
type RenderedMessage struct {
	Subject string
	// Text is the rendered body; for an SMS it is the message text.
	Text string
	// HTML is the rendered HTML body, empty when the template has none.
	HTML string
}

// TemplateRenderer renders notification templates. A failure is a
// *domain.TemplateError naming the template, the part (subject, body or
// html) and, when known, the variable.
type TemplateRenderer interface {
	// Render renders the subject, body and HTML body of t with vars.
	Render(ctx context.Context, t domain.NotificationTemplate, vars map[string]any) (RenderedMessage, error)
}
