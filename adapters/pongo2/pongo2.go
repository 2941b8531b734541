// Package pongo2 renders notification templates with pongo2
// (github.com/flosch/pongo2/v6), whose syntax follows Django's template
// language, so templates written for the Django system render unchanged.
//
// Subjects and text bodies are rendered without HTML escaping, because an
// e-mail subject or an SMS shows "&" as it is. HTML bodies are escaped as
// Django does. Django's forloop.counter and its other lower-case loop
// fields are rewritten to pongo2's capitalised ones. Templates come from the database, so the tags that read
// other files (include, extends, import, ssi) are rejected.
package pongo2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
	"github.com/google/wire"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// ProviderSet builds a Renderer from a Config.
var ProviderSet = wire.NewSet(New, wire.Bind(new(ports.TemplateRenderer), new(*Renderer)))

var _ ports.TemplateRenderer = (*Renderer)(nil)

// Config configures the renderer.
type Config struct {
	// StrictVariables makes a variable that a {{ }} tag prints, and that
	// neither the context nor a for, with, set or macro tag defines, an
	// error naming it, unless the tag applies the default filter. Django
	// prints such a variable as an empty string, which is what false keeps.
	// Default false.
	StrictVariables bool
	// CacheSize caps how many compiled template sources are kept. Default
	// 256.
	CacheSize int
}

// WithDefaults returns a copy with the defaults filled in.
func (c Config) WithDefaults() Config {
	if c.CacheSize == 0 {
		c.CacheSize = 256
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.CacheSize < 0 {
		return fmt.Errorf("pongo2 config: CacheSize %d must not be negative", c.CacheSize)
	}
	return nil
}

// Renderer implements ports.TemplateRenderer. It is safe for concurrent
// use.
type Renderer struct {
	cfg Config
	set *pongo2.TemplateSet

	mu    sync.Mutex
	cache map[string]*pongo2.Template
}

// fileTags read other templates or files, which a template stored in the
// database must not do.
var fileTags = []string{"include", "extends", "import", "ssi"}

// New builds a Renderer.
func New(cfg Config) (*Renderer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	set := pongo2.NewSet("telcojobs-notifications", noFiles{})
	for _, tag := range fileTags {
		if err := set.BanTag(tag); err != nil {
			return nil, fmt.Errorf("pongo2: ban tag %s: %w", tag, err)
		}
	}
	return &Renderer{cfg: cfg, set: set, cache: map[string]*pongo2.Template{}}, nil
}

// Render implements ports.TemplateRenderer.
func (r *Renderer) Render(_ context.Context, t domain.NotificationTemplate, vars map[string]any) (ports.RenderedMessage, error) {
	var out ports.RenderedMessage
	var err error
	if out.Subject, err = r.renderPart(t.Name, "subject", t.Subject, vars, false); err != nil {
		return ports.RenderedMessage{}, err
	}
	if out.Text, err = r.renderPart(t.Name, "body", t.Body, vars, false); err != nil {
		return ports.RenderedMessage{}, err
	}
	if out.HTML, err = r.renderPart(t.Name, "html", t.HTMLBody, vars, true); err != nil {
		return ports.RenderedMessage{}, err
	}
	out.Subject = strings.Join(strings.Fields(out.Subject), " ")
	return out, nil
}

func (r *Renderer) renderPart(name, part, source string, vars map[string]any, escape bool) (string, error) {
	if source == "" {
		return "", nil
	}
	if r.cfg.StrictVariables {
		if missing := undefinedVariables(source, vars); len(missing) > 0 {
			return "", &domain.TemplateError{Template: name, Part: part, Variable: missing[0],
				Err: fmt.Errorf("variable %q is not in the notification context (context has %s)", missing[0], keys(vars))}
		}
	}

	// Prefixing keeps line numbers: the tag adds no newline.
	wrapped := djangoLoopFields.ReplaceAllStringFunc(source, capitalizeLoopField)
	if !escape {
		wrapped = "{% autoescape off %}" + wrapped + "{% endautoescape %}"
	}
	tpl, err := r.compile(wrapped)
	if err != nil {
		return "", templateError(name, part, err)
	}
	out, err := tpl.Execute(pongo2.Context(vars))
	if err != nil {
		return "", templateError(name, part, err)
	}
	return out, nil
}

func (r *Renderer) compile(source string) (*pongo2.Template, error) {
	r.mu.Lock()
	tpl, ok := r.cache[source]
	r.mu.Unlock()
	if ok {
		return tpl, nil
	}

	tpl, err := r.set.FromString(source)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if len(r.cache) >= r.cfg.CacheSize {
		clear(r.cache)
	}
	r.cache[source] = tpl
	r.mu.Unlock()
	return tpl, nil
}

// templateError turns a pongo2 error into a *domain.TemplateError with the
// line and the token at fault.
func templateError(name, part string, err error) error {
	te := &domain.TemplateError{Template: name, Part: part, Err: err}
	var pe *pongo2.Error
	if errors.As(err, &pe) {
		te.Line = pe.Line
		if pe.Token != nil {
			te.Variable = pe.Token.Val
		}
		if pe.OrigError != nil {
			te.Err = pe.OrigError
		}
	}
	return te
}

// djangoLoopFields matches Django's lower-case forloop fields, which pongo2
// spells with a capital (forloop.Counter), so old templates keep working.
var djangoLoopFields = regexp.MustCompile(`\bforloop\.(counter0|counter|revcounter0|revcounter|first|last|parentloop)\b`)

func capitalizeLoopField(m string) string {
	field := strings.TrimPrefix(m, "forloop.")
	return "forloop." + strings.ToUpper(field[:1]) + field[1:]
}

var (
	printedVariable = regexp.MustCompile(`\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}\}`)
	forVariables    = regexp.MustCompile(`\{%-?\s*for\s+([A-Za-z0-9_,\s]+?)\s+in\s`)
	withVariables   = regexp.MustCompile(`\{%-?\s*with\s+([^%]*)%\}`)
	withAssignment  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*=`)
	withAs          = regexp.MustCompile(`\bas\s+([A-Za-z_][A-Za-z0-9_]*)`)
	setVariable     = regexp.MustCompile(`\{%-?\s*set\s+([A-Za-z_][A-Za-z0-9_]*)`)
	macroName       = regexp.MustCompile(`\{%-?\s*macro\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)`)
)

// undefinedVariables lists the names that {{ }} tags print first and that
// neither vars nor a tag of the template defines. It reads the source with
// regular expressions, so it checks only the first name of each printed
// expression.
func undefinedVariables(source string, vars map[string]any) []string {
	defined := map[string]bool{"forloop": true, "true": true, "false": true, "none": true,
		"True": true, "False": true, "None": true}
	for _, m := range forVariables.FindAllStringSubmatch(source, -1) {
		for _, v := range strings.Split(m[1], ",") {
			defined[strings.TrimSpace(v)] = true
		}
	}
	for _, m := range withVariables.FindAllStringSubmatch(source, -1) {
		for _, a := range withAssignment.FindAllStringSubmatch(m[1], -1) {
			defined[a[1]] = true
		}
		for _, a := range withAs.FindAllStringSubmatch(m[1], -1) {
			defined[a[1]] = true
		}
	}
	for _, m := range setVariable.FindAllStringSubmatch(source, -1) {
		defined[m[1]] = true
	}
	for _, m := range macroName.FindAllStringSubmatch(source, -1) {
		defined[m[1]] = true
		for _, arg := range strings.Split(m[2], ",") {
			arg, _, _ = strings.Cut(arg, "=")
			defined[strings.TrimSpace(arg)] = true
		}
	}

	var missing []string
	seen := map[string]bool{}
	for _, m := range printedVariable.FindAllStringSubmatch(source, -1) {
		name := m[1]
		if _, ok := vars[name]; ok || defined[name] || seen[name] || strings.Contains(m[2], "|default") {
			continue
		}
		seen[name] = true
		missing = append(missing, name)
	}
	return missing
}

func keys(vars map[string]any) string {
	if len(vars) == 0 {
		return "no variables"
	}
	out := make([]string, 0, len(vars))
	for k := range vars {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// noFiles is a loader that reads nothing, for a set whose templates come
// from strings only.
type noFiles struct{}

func (noFiles) Abs(_, name string) string { return name }

func (noFiles) Get(path string) (io.Reader, error) {
	return nil, fmt.Errorf("template %q: notification templates cannot read files", path)
}
