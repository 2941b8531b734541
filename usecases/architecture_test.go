package usecases_test

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDependenciesPointInward checks the layering: domain imports only the
// standard library, ports only domain, and use cases neither adapters nor
// drivers.
func TestDependenciesPointInward(t *testing.T) {
	t.Parallel()
	const module = "github.com/telcojobs/telcojobs/"
	cases := []struct {
		dir     string
		allowed func(path string) bool
	}{
		{"../domain", func(p string) bool { return !strings.Contains(p, ".") }},
		{"../ports", func(p string) bool { return !strings.Contains(p, ".") || p == module+"domain" }},
		{".", func(p string) bool {
			return !strings.Contains(p, ".") || p == module+"domain" || p == module+"ports" ||
				strings.HasPrefix(p, module+"usecases/") || p == "github.com/google/wire" ||
				strings.HasPrefix(p, "golang.org/x/text/") || p == "golang.org/x/time/rate"
		}},
		{"bulkcsv", func(p string) bool {
			return !strings.Contains(p, ".") || p == module+"domain" || strings.HasPrefix(p, "golang.org/x/text/")
		}},
	}
	for _, c := range cases {
		pkg, err := build.ImportDir(c.dir, 0)
		require.NoError(t, err)
		for _, imp := range pkg.Imports {
			require.True(t, c.allowed(imp), "package %s imports %s", pkg.Name, imp)
		}
	}
}
