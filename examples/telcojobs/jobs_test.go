package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/adapters/postgres/pgtest"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
	"github.com/telcojobs/telcojobs/examples/internal/mailsink"
)

// TestRunEveryJobJSON runs each job with --json on the sample files, in the
// order an operator would, and checks the counts each one prints, on SQLite
// and on PostgreSQL.
func TestRunEveryJobJSON(t *testing.T) {
	t.Parallel()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		runEveryJob(t, setup(t))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		e.args[1] = pgtest.NewDatabase(t)
		runEveryJob(t, e)
	})
}

func runEveryJob(t *testing.T, e *env) {
	opts, err := fakevendor.LoadTestdata(testdata())
	require.NoError(t, err)
	vendor, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	defer vendor.Close()
	mail, err := mailsink.Start()
	require.NoError(t, err)
	defer mail.Close()

	e.args = append(e.args,
		"--orion-url", vendor.URL, "--telco-url", vendor.URL, "--sms-url", vendor.URL, "--sms-sender", "TELCOJOBS",
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(mail.Addr().Port), "--smtp-tls", "none",
		"--smtp-from", "avisos@telcojobs.example")

	mustRun := func(args ...string) map[string]any {
		t.Helper()
		code, res, stderr := e.runJSON(args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		return res
	}

	mustRun("channel", "create", "tienda-online")

	res := mustRun("run", "update-shops", "--channel", "tienda-online", "--file", testdata("shops", "happy.csv"))
	require.EqualValues(t, 5, res["created"])
	require.EqualValues(t, 0, res["rejected"])

	res = mustRun("run", "update-sellers", "--channel", "tienda-online", "--file", testdata("sellers", "windows1252_spanish.csv"))
	require.EqualValues(t, 2, res["created"])
	require.Equal(t, "Windows-1252", res["encoding"])

	res = mustRun("codes", "load", "--file", testdata("promotions", "codes_happy.txt"))
	require.EqualValues(t, 20, res["added"])
	copies, err := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads", "load_promotion_codes"))
	if !os.IsNotExist(err) {
		require.NoError(t, err)
		require.Empty(t, copies, "codes load deletes its copy of the file")
	}

	res = mustRun("run", "assign-promotion-codes", "--file", testdata("promotions", "documents_happy.csv"), "--user-id", "ana")
	require.EqualValues(t, 5, res["assigned"])
	require.EqualValues(t, 0, res["invalid"])
	res = mustRun("run", "assign-promotion-codes", "--file", testdata("promotions", "documents_happy.csv"), "--user-id", "ana")
	require.EqualValues(t, 0, res["assigned"])
	require.EqualValues(t, 5, res["already_assigned"])

	res = mustRun("run", "update-device-data")
	require.EqualValues(t, 6, res["devices_created"])
	require.EqualValues(t, 0, res["devices_disabled"])
	res = mustRun("run", "update-devices-stock")
	require.EqualValues(t, 6, res["devices"])
	require.Equal(t, []any{}, res["failed"])

	res = mustRun("run", "import-iccs-from-zipfile", "--file", testdata("iccs", "esims_ok.zip"))
	require.EqualValues(t, 5, res["imported"])
	require.Equal(t, true, res["zip_deleted"])

	res = mustRun("run", "check-number-of-unassigned-esim-iccs", "--threshold", "10", "--recipients", "stock@telcojobs.example")
	require.EqualValues(t, 5, res["free"])
	require.Equal(t, true, res["low"])
	require.Len(t, res["notifications"], 1)
	res = mustRun("run", "send-async-email", "--notification-id", "1")
	require.Equal(t, true, res["sent"])
	require.Len(t, mail.Messages(), 1)
	res = mustRun("run", "send-async-email", "--notification-id", "1")
	require.Equal(t, false, res["sent"], "a consumed notification is not sent again")
	require.Len(t, mail.Messages(), 1)

	body := filepath.Join(e.dir, "sms.txt")
	require.NoError(t, os.WriteFile(body, []byte("Hola {{ nombre }}, tu pedido está en camino."), 0o644))
	mustRun("template", "set", "pedido_sms", "--channel", "sms", "--body-file", body)
	created := mustRun("notification", "create", "--template", "pedido_sms", "--to", "600123456", "--context", `{"nombre":"Ana"}`)
	res = mustRun("run", "send-async-sms", "--notification-id", strconv.Itoa(int(created["notification_id"].(float64))))
	require.Equal(t, true, res["sent"])
	require.Equal(t, "+34600123456", res["to"])
	require.Len(t, vendor.Handler.Messages(), 1)

	res = mustRun("run", "unassign-esim-iccs", "--start", "2025-03-29", "--end", "2025-03-30")
	require.EqualValues(t, 0, res["released"])
	res = mustRun("run", "delete-used-iccs", "--days-old", "60")
	require.EqualValues(t, 0, res["deleted"])

	res = mustRun("schedule", "set", "--file", testdata("schedules", "schedules.json"))
	require.NotEmpty(t, res["schedules"])
	res = mustRun("run", "check-schedules")
	require.EqualValues(t, 0, res["failed"])
	res = mustRun("run", "run-schedule-action", "--schedule-id", "1")
	require.EqualValues(t, 0, res["selected"], "no purchase is waiting")

	res = mustRun("run", "send-daily-validation-report", "--emails", "validacion@telcojobs.example")
	require.Equal(t, "no_data", res["skipped"])

	res = mustRun("run", "check-coverage-from-leads", "--lead-ids", "1,2")
	require.EqualValues(t, 2, res["requested"])
	require.EqualValues(t, 2, res["missing"], "the leads do not exist")
}
