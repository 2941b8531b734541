package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/examples/fakevendor"
)

// testdata returns the path of a file in the module's testdata folder.
func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

// env is a temporary database and blob folder for one test.
type env struct {
	t    *testing.T
	dir  string
	args []string
}

func setup(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	return &env{t: t, dir: dir, args: []string{
		"--db", "sqlite:" + filepath.Join(dir, "telcojobs.db"),
		"--blob", "file:" + filepath.Join(dir, "blobs"),
	}}
}

// run runs the command with the env's database and returns the exit status
// and both outputs.
func (e *env) run(args ...string) (int, string, string) {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append(append([]string{}, args...), e.args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// runJSON runs the command with --json and decodes its output.
func (e *env) runJSON(args ...string) (int, map[string]any, string) {
	e.t.Helper()
	code, out, errOut := e.run(append(args, "--json")...)
	var v map[string]any
	if out != "" {
		require.NoError(e.t, json.Unmarshal([]byte(out), &v), "stdout: %s", out)
	}
	return code, v, errOut
}

func TestHelpForEveryCommand(t *testing.T) {
	t.Parallel()
	cli := newCLI(&bytes.Buffer{}, &bytes.Buffer{})
	root := cli.rootCommand()

	var paths [][]string
	for _, c := range root.Commands() {
		paths = append(paths, []string{c.Name()})
		for _, sub := range c.Commands() {
			paths = append(paths, []string{c.Name(), sub.Name()})
		}
	}
	require.Greater(t, len(paths), 30)

	for _, p := range paths {
		t.Run(strings.Join(p, "_"), func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(append(p, "--help"), &stdout, &stderr)
			require.Equal(t, 0, code, stderr.String())
			require.Contains(t, stdout.String(), "Usage:")
			require.Contains(t, stdout.String(), "--db", "global flags are listed")
		})
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"UnknownCommand":   {"frobnicate"},
		"UnknownJob":       {"run", "update-everything"},
		"UnknownFlag":      {"run", "update-shops", "--colour", "red"},
		"MissingChannel":   {"run", "update-shops", "--file", testdata("shops", "happy.csv")},
		"MissingFile":      {"run", "update-shops", "--channel", "web", "--file", "/nonexistent/shops.csv"},
		"MissingLeadIDs":   {"run", "check-coverage-from-leads"},
		"BadLeadID":        {"run", "check-coverage-from-leads", "--lead-ids", "uno"},
		"BadDays":          {"run", "delete-used-iccs", "--days-old", "0"},
		"HalfRange":        {"run", "unassign-esim-iccs", "--start", "2025-03-29"},
		"BadDate":          {"run", "unassign-esim-iccs", "--start", "29/03/2025", "--end", "2025-03-30"},
		"BadChannelSlug":   {"channel", "create", "Tienda Online"},
		"BadLogLevel":      {"migrate", "--log-level", "loud"},
		"BadNotification":  {"run", "send-async-email"},
		"BadTemplateKind":  {"template", "set", "x", "--channel", "fax", "--body-file", testdata("shops", "happy.csv")},
		"NotificationArgs": {"notification", "create", "--template", "x"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			code, _, stderr := e.run(args...)
			require.Equal(t, 2, code, "stderr: %s", stderr)
			require.Contains(t, stderr, "error:")
		})
	}
}

func TestBadDatabaseURLExitsTwo(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"migrate", "--db", "mysql://root:hunter2@db/telcojobs"}, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), "expected sqlite:PATH or a postgres:// URL")
	require.NotContains(t, stderr.String(), "hunter2", "the password is never printed")
}

func TestEnvironmentSetsFlags(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TELCOJOBS_DB", "sqlite:"+filepath.Join(dir, "env.db"))
	t.Setenv("TELCOJOBS_BLOB", "file:"+filepath.Join(dir, "blobs"))
	var stdout, stderr bytes.Buffer
	code := run([]string{"migrate", "--json"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "env.db")
}

func TestRunUpdateShopsJSON(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("channel", "create", "tienda-online")
	require.Equal(t, 0, code, stderr)

	code, res, stderr := e.runJSON("run", "update-shops", "--channel", "tienda-online", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 0, code, stderr)
	require.EqualValues(t, 5, res["created"])
	require.EqualValues(t, 0, res["rejected"])
	require.EqualValues(t, 0, res["disabled"])

	code, res, stderr = e.runJSON("run", "update-shops", "--channel", "tienda-online", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 0, code, stderr)
	require.EqualValues(t, 0, res["created"])
	require.EqualValues(t, 5, res["unchanged"])
}

func TestRunUnknownChannelFails(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.runJSON("run", "update-shops", "--channel", "no-existe", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 2, code, "an unknown channel is bad input")
	require.Contains(t, stderr, "no-existe")
	require.Contains(t, stderr, "channel create", "the error says how to create the channel")
	require.NotContains(t, stderr, "no rows in result set")
}

func TestRunAcceptsQueueName(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("channel", "create", "web")
	require.Equal(t, 0, code, stderr)
	code, res, stderr := e.runJSON("run", "update_shops", "--channel", "web", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 0, code, stderr)
	require.EqualValues(t, 5, res["created"])
	require.Equal(t, []any{}, res["rejected_rows"], "an empty list is [] in JSON, not null")
}

func TestTemplateSetRejectsBrokenTemplate(t *testing.T) {
	t.Parallel()
	e := setup(t)
	body := filepath.Join(e.dir, "body.txt")
	require.NoError(t, os.WriteFile(body, []byte("Hola {{ nombre }, {% if x %}"), 0o644))
	code, _, stderr := e.run("template", "set", "saludo", "--body-file", body)
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "saludo")

	require.NoError(t, os.WriteFile(body, []byte("Hola {{ nombre }}"), 0o644))
	code, _, stderr = e.run("template", "set", "saludo", "--body-file", body, "--subject", "Hola")
	require.Equal(t, 0, code, stderr)
}

func TestEnqueueJSON(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, res, stderr := e.runJSON("enqueue", "delete-used-iccs", "--days-old", "90")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "delete_used_iccs", res["kind"])
	require.NotZero(t, res["job_id"])
}

func TestSecretsNotPrinted(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, out, stderr := e.run("run", "update-devices-stock", "--orion-url", "http://127.0.0.1:1", "--orion-token", "s3cr3t-token", "--log-level", "debug")
	_ = code
	require.NotContains(t, out+stderr, "s3cr3t-token")
}

func TestParseDB(t *testing.T) {
	t.Parallel()
	kind, target, err := ParseDB("sqlite:./x.db")
	require.NoError(t, err)
	require.Equal(t, DBSQLite, kind)
	require.Equal(t, "./x.db", target)

	kind, _, err = ParseDB("postgres://u:p@127.0.0.1/db")
	require.NoError(t, err)
	require.Equal(t, DBPostgres, kind)

	_, _, err = ParseDB("sqlite:")
	require.ErrorContains(t, err, "file path is missing")
}

func TestParseBlob(t *testing.T) {
	t.Parallel()
	loc, err := ParseBlob("s3://facturas?endpoint=http://127.0.0.1:9000&region=eu-south-2&path_style=true&prefix=esim")
	require.NoError(t, err)
	require.Equal(t, BlobLocation{Kind: BlobS3, Bucket: "facturas", Prefix: "esim", Endpoint: "http://127.0.0.1:9000", Region: "eu-south-2", PathStyle: true}, loc)

	loc, err = ParseBlob("file:///var/lib/telcojobs/blobs")
	require.NoError(t, err)
	require.Equal(t, "/var/lib/telcojobs/blobs", loc.Dir)

	_, err = ParseBlob("ftp://x")
	require.Error(t, err)
	_, err = ParseBlob("s3://b?path_style=maybe")
	require.ErrorContains(t, err, "path_style")
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	require.Equal(t, "postgres://app:xxxxx@127.0.0.1:5432/telcojobs", RedactURL("postgres://app:hunter2@127.0.0.1:5432/telcojobs"))
	for _, raw := range []string{
		"postgres://app@127.0.0.1/db?password=hunter2",
		"host=127.0.0.1 user=app password=hunter2 dbname=telcojobs",
		"ftp://app:hunter2@127.0.0.1/blobs",
		"sqlite://app:hunter2@127.0.0.1/x.db",
		"s3://bucket?endpoint=http://127.0.0.1:9000&secret_key=hunter2",
		"host=127.0.0.1 password = hunter2 dbname=x",
		"host=127.0.0.1 password='hunter2 and more' dbname=x",
		"postgres://app:abc@hunter2@127.0.0.1:5432/x",
		"s3://bucket?endpoint=http://app:hunter2@127.0.0.1:9000",
	} {
		require.NotContains(t, RedactURL(raw), "hunter2", raw)
	}
}

func TestPasswordsNeverPrinted(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"KeyValueDSN": {"migrate", "--db", "host=127.0.0.1 password=hunter2"},
		"FTPBlob":     {"migrate", "--blob", "ftp://app:hunter2@127.0.0.1/x"},
		"SQLiteURL":   {"migrate", "--db", "sqlite://app:hunter2@127.0.0.1/x.db"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			require.Equal(t, 2, code, stderr.String())
			require.NotContains(t, stdout.String()+stderr.String(), "hunter2")
		})
	}
}

func TestBadSettingsExitTwo(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"NegativeThreshold": {[]string{"migrate", "--esim-threshold", "-5"}, "--esim-threshold"},
		"UnknownTLSMode":    {[]string{"migrate", "--smtp-tls", "maybe"}, "--smtp-tls"},
		"UnknownZone":       {[]string{"migrate", "--timezone", "Mars/Olympus"}, "--timezone"},
		"BadRecipient":      {[]string{"migrate", "--alert-recipients", "ops@example.com,nadie"}, "--alert-recipients"},
		"PortOutOfRange":    {[]string{"migrate", "--smtp-port", "99999"}, "--smtp-port"},
		"HostWithoutFrom":   {[]string{"migrate", "--smtp-host", "127.0.0.1"}, "--smtp-from"},
		"HugeDaysOld":       {[]string{"run", "delete-used-iccs", "--days-old", "9223372036854775807"}, "--days-old"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			code, _, stderr := e.run(c.args...)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, c.want)
		})
	}
}

func TestRunWithoutServiceExitsTwo(t *testing.T) {
	t.Parallel()
	for job, c := range map[string]struct {
		flag string
		args []string
	}{
		"send-async-email":          {"--smtp-host", []string{"--notification-id", "1"}},
		"send-async-sms":            {"--sms-url", []string{"--notification-id", "1"}},
		"update-device-data":        {"--orion-url", nil},
		"update-devices-stock":      {"--orion-url", nil},
		"check-coverage-from-leads": {"--telco-url", []string{"--lead-ids", "1"}},
	} {
		t.Run(job, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			code, _, stderr := e.run(append([]string{"run", job}, c.args...)...)
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, c.flag)
		})
	}
}

func TestUnregisteredLinesNameTheFlag(t *testing.T) {
	t.Parallel()
	lines := unregisteredLines(Config{OrionURL: "http://127.0.0.1:1", TelcoURL: "http://127.0.0.1:1", SMSURL: "http://127.0.0.1:1"})
	require.Equal(t, []string{"Sin registrar send_async_email: falta --smtp-host (TELCOJOBS_SMTP_HOST); sus trabajos esperan en la cola."}, lines)
}

func TestRunFailedVendorSyncExitsOne(t *testing.T) {
	t.Parallel()
	opts, err := fakevendor.LoadTestdata(testdata())
	require.NoError(t, err)
	opts.Token = "right-token"
	vendor, err := fakevendor.NewServer(opts)
	require.NoError(t, err)
	defer vendor.Close()

	e := setup(t)
	code, res, stderr := e.runJSON("run", "update-device-data", "--orion-url", vendor.URL, "--orion-token", "wrong-token")
	require.Equal(t, 1, code, stderr)
	require.Equal(t, "listing_failed", res["held"])
	require.EqualValues(t, 0, res["devices_disabled"])
	require.NotContains(t, stderr, "wrong-token")

	code, res, stderr = e.runJSON("run", "update-device-data", "--orion-url", vendor.URL, "--orion-token", "right-token")
	require.Equal(t, 0, code, stderr)
	require.EqualValues(t, 6, res["devices_created"])
}

func TestScheduleSetIsAllOrNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	file := filepath.Join(e.dir, "schedules.json")
	good := `{"name":"noche","enabled":true,"times":["02:30"],"action":"generic","parameters":{"statuses":["provision_error"]}}`
	bad := `{"name":"tarde","enabled":true,"times":["25:00"],"action":"generic","parameters":{"statuses":["provision_error"]}}`
	require.NoError(t, os.WriteFile(file, []byte("["+good+","+bad+"]"), 0o644))

	code, _, stderr := e.run("schedule", "set", "--file", file)
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "25:00")
	require.Contains(t, stderr, "nothing was saved")

	require.NoError(t, os.WriteFile(file, []byte(good), 0o644))
	code, res, stderr := e.runJSON("schedule", "set", "--file", file)
	require.Equal(t, 0, code, stderr)
	saved := res["schedules"].([]any)[0].(map[string]any)
	require.Equal(t, true, saved["created"], "the first schedule was not saved by the failed run")
}

func TestScheduleSetRejectsUnknownField(t *testing.T) {
	t.Parallel()
	e := setup(t)
	file := filepath.Join(e.dir, "schedule.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"name":"noche","enabled":true,"times":["02:30"],"timezone":"Atlantic/Canary","action":"generic","parameters":{"statuses":["provision_error"]}}`), 0o644))
	code, _, stderr := e.run("schedule", "set", "--file", file)
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, `"timezone"`)
}

func TestBlobURLUnknownOptionExitsTwo(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run([]string{"migrate", "--db", "sqlite:" + filepath.Join(t.TempDir(), "x.db"),
		"--blob", "s3://bucket?Endpoint=http://127.0.0.1:9000"}, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), `"Endpoint"`)
}

func TestS3WithoutCredentialsExitsTwo(t *testing.T) {
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"} {
		t.Setenv(name, "")
	}
	t.Setenv("HOME", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := run([]string{"migrate", "--db", "sqlite:" + filepath.Join(t.TempDir(), "x.db"),
		"--blob", "s3://bucket?endpoint=http://127.0.0.1:1&region=us-east-1"}, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Contains(t, stderr.String(), "AWS_ACCESS_KEY_ID")
}

func TestWorkerRejectsShortRescue(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("worker", "--rescue-after", "10m")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "--rescue-after 10m0s must be longer than 30m0s")
}

func TestFailedRunJSONHasError(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, res, stderr := e.runJSON("run", "run-schedule-action", "--schedule-id", "99")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, res["error"], "99")
	require.NotContains(t, res, "schedule_id", "no zero-valued counts beside the error")
}

func TestRunRemovesUploadedCopy(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, _, stderr := e.run("channel", "create", "web")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = e.run("run", "update-shops", "--channel", "web", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 0, code, stderr)

	entries, err := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads", "update_shops"))
	if !os.IsNotExist(err) {
		require.NoError(t, err)
		require.Empty(t, entries, "the copy of the operator's file is deleted after the run")
	}
}

func TestScheduleSetRejectsRepeatedName(t *testing.T) {
	t.Parallel()
	e := setup(t)
	file := filepath.Join(e.dir, "schedules.json")
	one := `{"name":"cinco","enabled":true,"times":["05:00"],"action":"generic","parameters":{"statuses":["provision_error"]}}`
	require.NoError(t, os.WriteFile(file, []byte("["+one+","+one+"]"), 0o644))
	code, _, stderr := e.run("schedule", "set", "--file", file)
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, `"cinco"`)
}

func TestRejectedRunJSONHasOnlyError(t *testing.T) {
	t.Parallel()
	e := setup(t)
	code, res, stderr := e.runJSON("run", "update-shops", "--channel", "nope", "--file", testdata("shops", "happy.csv"))
	require.Equal(t, 2, code, stderr)
	require.Len(t, res, 1, "only the error: %v", res)
	require.Contains(t, res["error"], "nope")
}

func TestEnqueueChecksLikeRun(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for name, args := range map[string][]string{
		"UnknownChannel":      {"enqueue", "update-shops", "--channel", "nope", "--file", testdata("shops", "happy.csv")},
		"UnknownSchedule":     {"enqueue", "run-schedule-action", "--schedule-id", "999"},
		"MissingZipKey":       {"enqueue", "import-iccs-from-zipfile", "--zip-key", "uploads/none.zip"},
		"UnknownNotification": {"enqueue", "send-async-sms", "--notification-id", "9999", "--sms-url", "http://127.0.0.1:1"},
	} {
		t.Run(name, func(t *testing.T) {
			code, res, stderr := e.runJSON(args...)
			require.Equal(t, 2, code, stderr)
			require.NotEmpty(t, res["error"])
		})
	}
	_, err := os.Stat(filepath.Join(e.dir, "blobs", "uploads", "update_shops"))
	if !os.IsNotExist(err) {
		entries, err := os.ReadDir(filepath.Join(e.dir, "blobs", "uploads", "update_shops"))
		require.NoError(t, err)
		require.Empty(t, entries, "a rejected enqueue leaves no upload behind")
	}
}
