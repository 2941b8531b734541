package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAlarmListShowResolve(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("channel", "create", "web")
	require.Equal(t, 0, code, stderr)

	code, out, stderr := e.run("alarm", "list")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "No hay alarmas abiertas.\n", out)

	file := filepath.Join(e.dir, "tiendas.csv")
	require.NoError(t, os.WriteFile(file, []byte("code;name;phone\nA1;Uno;123\nA2;Dos;600111222\n"), 0o600))
	code, _, stderr = e.run("run", "update-shops", "--channel", "web", "--file", file)
	require.Equal(t, 0, code, stderr)

	const name = "update_shops:web:rejected_rows"
	code, out, stderr = e.run("alarm", "list")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, name+"\tabierta\t1 vez\tdesde ")
	require.Contains(t, out, "Importación de tiendas del canal web: 1 fila rechazada de 2")

	code, out, stderr = e.run("alarm", "show", name)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Línea 2: la columna teléfono tiene «123»")

	code, res, stderr := e.runJSON("alarm", "list")
	require.Equal(t, 0, code, stderr)
	alarms, ok := res["alarms"].([]any)
	require.True(t, ok, "%v", res)
	require.Len(t, alarms, 1)
	require.Equal(t, name, alarms[0].(map[string]any)["name"])

	code, out, stderr = e.run("alarm", "resolve", name)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "Alarma "+name+" resuelta.\n", out)
	code, out, _ = e.run("alarm", "list")
	require.Equal(t, 0, code)
	require.Equal(t, "No hay alarmas abiertas.\n", out)
	code, out, _ = e.run("alarm", "list", "--all")
	require.Equal(t, 0, code)
	require.Contains(t, out, name+"\tresuelta ")

	code, out, stderr = e.run("alarm", "show", name)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Alarma "+name+" (resuelta el ")
	require.Contains(t, out, "Línea 2: la columna teléfono tiene «123»")

	code, _, stderr = e.run("alarm", "resolve", name)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `no open alarm is named "`+name+`"`)
	code, _, _ = e.run("alarm", "list", "--limit", "0")
	require.Equal(t, 2, code)
	code, _, stderr = e.run("alarm", "show", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `no alarm is named "nope"`)
}
