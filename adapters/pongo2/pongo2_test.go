package pongo2_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/pongo2"
	"github.com/telcojobs/telcojobs/domain"
)

func setup(t *testing.T, cfg pongo2.Config) *pongo2.Renderer {
	t.Helper()
	r, err := pongo2.New(cfg)
	require.NoError(t, err)
	return r
}

func TestRenderDjangoSyntax(t *testing.T) {
	t.Parallel()
	r := setup(t, pongo2.Config{})
	tmpl := domain.NotificationTemplate{
		Name:     "pedido",
		Subject:  "Pedido {{ order.id }}\n de {{ name|upper }}",
		Body:     "{% for l in lines %}{{ forloop.counter }}. {{ l }}{% if forloop.last %}!{% endif %}\n{% endfor %}{{ count }} línea{{ count|pluralize }} & más",
		HTMLBody: "<p>{{ name }}</p>",
	}
	vars := map[string]any{
		"order": map[string]any{"id": int64(7)},
		"name":  "Ana & <Luis>",
		"lines": []any{"uno", "dos"},
		"count": int64(2),
	}

	out, err := r.Render(context.Background(), tmpl, vars)
	require.NoError(t, err)
	require.Equal(t, "Pedido 7 de ANA & <LUIS>", out.Subject, "the subject is one line and not escaped")
	require.Equal(t, "1. uno\n2. dos!\n2 líneas & más", out.Text, "the text body is not escaped")
	require.Equal(t, "<p>Ana &amp; &lt;Luis&gt;</p>", out.HTML, "the HTML body is escaped")
}

func TestRenderMissingVariableIsEmpty(t *testing.T) {
	t.Parallel()
	r := setup(t, pongo2.Config{})
	out, err := r.Render(context.Background(), domain.NotificationTemplate{Name: "x", Body: "Hola {{ nombre }}."}, nil)
	require.NoError(t, err)
	require.Equal(t, "Hola .", out.Text)
	require.Empty(t, out.HTML)
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	r := setup(t, pongo2.Config{StrictVariables: true})
	tests := []struct {
		name     string
		tmpl     domain.NotificationTemplate
		part     string
		variable string
		line     int
	}{
		{"UnknownFilter", domain.NotificationTemplate{Name: "alerta", Body: "uno\n{{ count|nofilter }}"}, "body", "nofilter", 2},
		{"UnclosedTag", domain.NotificationTemplate{Name: "alerta", Subject: "{% if count %}sí"}, "subject", "", 0},
		{"MissingVariable", domain.NotificationTemplate{Name: "alerta", Body: "Quedan {{ cuenta }} de {{ threshold }}"}, "body", "cuenta", 0},
		{"IncludeBanned", domain.NotificationTemplate{Name: "alerta", HTMLBody: `{% include "/etc/passwd" %}`}, "html", "", 0},
		{"SSIBanned", domain.NotificationTemplate{Name: "alerta", Body: `{% ssi "/etc/passwd" %}`}, "body", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := r.Render(context.Background(), tt.tmpl, map[string]any{"count": 3, "threshold": 10})
			var te *domain.TemplateError
			require.ErrorAs(t, err, &te)
			require.Equal(t, "alerta", te.Template)
			require.Equal(t, tt.part, te.Part)
			require.Contains(t, err.Error(), `"alerta"`)
			if tt.variable != "" {
				require.Equal(t, tt.variable, te.Variable)
				require.Contains(t, err.Error(), tt.variable)
			}
			if tt.line > 0 {
				require.Equal(t, tt.line, te.Line)
			}
		})
	}
}

func TestStrictVariablesAllowsDefinedNames(t *testing.T) {
	t.Parallel()
	r := setup(t, pongo2.Config{StrictVariables: true})
	body := `{% for a, b in pairs %}{{ a }}{{ b }}{% endfor %}{% with x=count %}{{ x }}{% endwith %}` +
		`{% set y = 1 %}{{ y }}{{ falta|default:"-" }}{{ forloop }}`
	out, err := r.Render(context.Background(), domain.NotificationTemplate{Name: "t", Body: body},
		map[string]any{"pairs": map[string]any{"k": "v"}, "count": 4})
	require.NoError(t, err)
	require.Equal(t, "kv41-", out.Text)
}

func TestConfigRejectsNegativeCache(t *testing.T) {
	t.Parallel()
	_, err := pongo2.New(pongo2.Config{CacheSize: -1})
	require.ErrorContains(t, err, "CacheSize")
}
